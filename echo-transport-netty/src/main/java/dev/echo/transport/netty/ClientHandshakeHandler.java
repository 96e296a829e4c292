package dev.echo.transport.netty;

import dev.echo.core.codec.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connecting side of the handshake on an outbound (send-only) connection: sends the hello, waits for the
 * welcome of the member it meant to reach (with TLS: whose certificate names it; with a cluster key: that proved it
 * holds the key, answered with this side's proof and both directions then bound to the key), then tells its
 * {@link PeerLink} the connection is ready. A refusal is counted and logged and the link retries with backoff. After
 * the welcome the peer may only answer the link's pings; anything else closes the connection.
 *
 * <p>Not shareable; runs on the channel's event loop.
 */
final class ClientHandshakeHandler extends HandshakeStage {
    private static final Logger LOG = LoggerFactory.getLogger(ClientHandshakeHandler.class);

    private final NettyTcpTransport transport;
    private final PeerLink link;
    private final byte[] nonce = ClusterKeyAuth.nonce();
    private boolean welcomed;

    ClientHandshakeHandler(NettyTcpTransport transport, PeerLink link) {
        super(transport, LOG);
        this.transport = transport;
        this.link = link;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sendHello(
                ctx,
                Optional.of(link.member()),
                nonce,
                () -> LOG.warn("No handshake answer from {} in time; reconnecting", link.member()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        Handshake handshake;
        try {
            if (welcomed) {
                if (!Frames.isControl(frame, Frames.PONG)) {
                    throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "data on a send-only connection");
                }
                link.answered(ctx.channel(), Frames.controlSequence(frame));
                return;
            }
            handshake = Handshake.read(frame);
        } catch (CodecException malformed) {
            transport.counters().decodeError();
            LOG.warn("Closing connection to {}: {}", link.member(), malformed.getMessage());
            ctx.close();
            return;
        } finally {
            frame.release();
        }
        cancelTimeout();
        if (handshake instanceof Handshake.Refusal refusal) {
            transport.counters().handshakeRefused();
            LOG.warn("{} refused our connection: {}", link.member(), refusal.reason());
            ctx.close();
            return;
        }
        Optional<String> problem = check(ctx, handshake);
        if (problem.isPresent()) {
            transport.counters().handshakeRefused();
            LOG.warn("Closing connection to {}: {}", link.member(), problem.get());
            ctx.close();
            return;
        }
        Handshake.Welcome welcome = (Handshake.Welcome) handshake;
        ClusterKeyAuth key = transport.keyAuth();
        if (key != null) {
            ClusterKeyAuth.Transcript transcript = new ClusterKeyAuth.Transcript(
                    transport.options().clusterId(), transport.self(), link.member(), nonce, welcome.nonce());
            if (!ClusterKeyAuth.matches(key.serverProof(transcript), welcome.proof())) {
                transport.counters().authFailure();
                LOG.warn("Closing connection to {}: it did not prove it holds the cluster key", link.member());
                ctx.close();
                return;
            }
            ctx.writeAndFlush(Frames.handshake(ctx.alloc(), new Handshake.Proof(key.clientProof(transcript))));
            ctx.pipeline()
                    .addAfter(
                            "frames", "opener", new FrameOpener(key.serverToClient(transcript), transport.counters()));
            ctx.pipeline().addAfter("frames", "sealer", new FrameSealer(key.clientToServer(transcript)));
        } else if (welcome.proof().length > 0) {
            transport.counters().handshakeRefused();
            LOG.warn("Closing connection to {}: it requires a cluster key, and this member has none", link.member());
            ctx.close();
            return;
        }
        welcomed = true;
        link.connected(ctx.channel());
    }

    private Optional<String> check(ChannelHandlerContext ctx, Handshake handshake) {
        if (!(handshake instanceof Handshake.Welcome welcome)) {
            return Optional.of("expected a welcome, got " + handshake.getClass().getSimpleName());
        }
        if (!welcome.member().equals(link.member())) {
            return Optional.of("the peer at that address is " + welcome.member());
        }
        if (PeerCertificates.isTls(ctx.channel()) && transport.options().requireNameMatch()) {
            Optional<String> name = PeerCertificates.commonName(ctx.channel());
            if (name.isEmpty() || !name.get().equals(link.member().value())) {
                transport.counters().authFailure();
                return Optional.of("its certificate names " + name.orElse("(none)"));
            }
        }
        return Optional.empty();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            link.scheduleDrain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!TlsFailures.isTls(cause)) {
            LOG.debug("Closing connection to {}: {}", link.member(), cause.toString());
        }
        ctx.close();
    }
}
