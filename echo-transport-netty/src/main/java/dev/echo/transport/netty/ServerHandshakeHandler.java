package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.codec.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of the handshake: reads the peer's hello, checks wire version, cluster id, target member and
 * (with TLS) that the certificate names the claimed member, then answers with a welcome. With a cluster key the
 * welcome carries this side's proof and the peer must answer with its own ({@link ClusterKeyAuth}); then both
 * directions are bound to the key. Finally it hands the channel to an {@link InboundEnvelopeHandler}. Anything wrong
 * is answered with a refusal, counted, logged, and the connection closed.
 *
 * <p>Not shareable; runs on the channel's event loop.
 */
final class ServerHandshakeHandler extends HandshakeStage {
    private static final Logger LOG = LoggerFactory.getLogger(ServerHandshakeHandler.class);

    private final NettyTcpTransport transport;
    /** With a cluster key: the hello whose sender has yet to prove it holds the key, and what it must prove. */
    private Handshake.Hello awaitingProof;

    private ClusterKeyAuth.Transcript transcript;

    ServerHandshakeHandler(NettyTcpTransport transport) {
        super(transport, LOG);
        this.transport = transport;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startTimeout(ctx, () -> {
            LOG.warn(
                    "Closing connection from {}: no handshake in time",
                    ctx.channel().remoteAddress());
            transport.counters().handshakeRefused();
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Handshake handshake = readOrClose(
                ctx,
                (ByteBuf) msg,
                why -> LOG.warn(
                        "Closing connection from {}: malformed handshake: {}",
                        ctx.channel().remoteAddress(),
                        why));
        if (handshake == null) {
            return;
        }
        if (awaitingProof != null) {
            onProof(ctx, handshake);
            return;
        }
        cancelTimeout();
        if (!(handshake instanceof Handshake.Hello hello)) {
            refuse(ctx, "expected a hello, got " + handshake.getClass().getSimpleName());
            return;
        }
        Optional<String> problem = check(ctx, hello);
        if (problem.isPresent()) {
            refuse(ctx, problem.get());
            return;
        }
        ClusterKeyAuth key = transport.keyAuth();
        byte[] nonce = ClusterKeyAuth.nonce();
        ClusterKeyAuth.Transcript transcript = new ClusterKeyAuth.Transcript(
                transport.options().clusterId(), hello.member(), transport.self(), hello.nonce(), nonce);
        byte[] proof = key == null ? new byte[0] : key.serverProof(transcript);
        ctx.writeAndFlush(Frames.handshake(
                ctx.alloc(),
                new Handshake.Welcome(transport.self(), transport.options().incarnation(), nonce, proof)));
        if (key == null) {
            accept(ctx, hello.member(), null);
            return;
        }
        // The caller must now prove it holds the key too, within the same deadline.
        awaitingProof = hello;
        this.transcript = transcript;
        startTimeout(ctx, () -> {
            LOG.warn(
                    "Closing connection from {}: no key proof in time",
                    ctx.channel().remoteAddress());
            transport.counters().handshakeRefused();
        });
    }

    private void onProof(ChannelHandlerContext ctx, Handshake handshake) {
        cancelTimeout();
        ClusterKeyAuth key = transport.keyAuth();
        if (!(handshake instanceof Handshake.Proof proof)
                || !ClusterKeyAuth.matches(key.clientProof(transcript), proof.proof())) {
            transport.counters().authFailure();
            refuse(ctx, "the peer did not prove it holds the cluster key");
            return;
        }
        accept(ctx, awaitingProof.member(), transcript);
    }

    /** The peer is who it said (and, with a key, proved it): from now on its frames are envelopes. */
    private void accept(ChannelHandlerContext ctx, MemberId peer, ClusterKeyAuth.Transcript keyBound) {
        ChannelPipeline pipeline = ctx.pipeline();
        int tag = 0;
        if (keyBound != null) {
            ClusterKeyAuth key = transport.keyAuth();
            pipeline.addAfter("frames", "opener", new FrameOpener(key.clientToServer(keyBound), transport.counters()));
            pipeline.addAfter("frames", "sealer", new FrameSealer(key.serverToClient(keyBound)));
            tag = FrameSealer.TAG_BYTES;
        }
        pipeline.get(FrameDecoder.class).raiseLimit(transport.options().codec().maxMessageBytes() + tag);
        pipeline.replace(this, "envelopes", new InboundEnvelopeHandler(transport, peer));
        transport.inboundAccepted(ctx.channel());
    }

    private Optional<String> check(ChannelHandlerContext ctx, Handshake.Hello hello) {
        TcpTransportOptions options = transport.options();
        if (hello.wireVersion() != MessageCodec.VERSION) {
            return Optional.of("wire version " + hello.wireVersion() + " is not ours (" + MessageCodec.VERSION + ")");
        }
        if (!hello.clusterId().equals(options.clusterId())) {
            return Optional.of("cluster id '" + hello.clusterId() + "' is not ours ('" + options.clusterId() + "')");
        }
        if (hello.target().isPresent() && !hello.target().get().equals(transport.self())) {
            return Optional.of(
                    "this is " + transport.self() + ", not " + hello.target().get());
        }
        if (hello.member().equals(transport.self())) {
            return Optional.of("the peer claims our own member id " + hello.member());
        }
        if (hello.incarnation() < 0) {
            return Optional.of("negative incarnation " + hello.incarnation());
        }
        if (PeerCertificates.isTls(ctx.channel()) && options.requireNameMatch()) {
            Optional<String> name = PeerCertificates.commonName(ctx.channel());
            if (name.isEmpty() || !name.get().equals(hello.member().value())) {
                transport.counters().authFailure();
                return Optional.of(
                        "certificate name " + name.orElse("(none)") + " does not match member " + hello.member());
            }
        }
        return Optional.empty();
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        transport.counters().handshakeRefused();
        LOG.warn("Refused connection from {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.writeAndFlush(Frames.handshake(ctx.alloc(), new Handshake.Refusal(reason)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!TlsFailures.isTls(cause)) {
            LOG.warn(
                    "Closing connection from {} during handshake: {}",
                    ctx.channel().remoteAddress(),
                    cause.toString());
        }
        ctx.close();
    }
}
