package dev.echo.transport.netty;

import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of the handshake: reads the peer's hello, checks wire version, cluster id, target member and
 * (with TLS) that the certificate names the claimed member, then answers with a welcome and hands the channel to an
 * {@link InboundEnvelopeHandler}, or answers with a refusal, counts it, logs why, and closes.
 *
 * <p>Not shareable; runs on the channel's event loop.
 */
final class ServerHandshakeHandler extends HandshakeStage {
    private static final Logger LOG = LoggerFactory.getLogger(ServerHandshakeHandler.class);

    private final NettyTcpTransport transport;

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
        ByteBuf frame = (ByteBuf) msg;
        Handshake handshake;
        try {
            handshake = Handshake.read(frame);
        } catch (CodecException malformed) {
            transport.counters().decodeError();
            LOG.warn(
                    "Closing connection from {}: malformed handshake: {}",
                    ctx.channel().remoteAddress(),
                    malformed.getMessage());
            ctx.close();
            return;
        } finally {
            frame.release();
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
        ctx.writeAndFlush(Frames.handshake(
                ctx.alloc(),
                new Handshake.Welcome(transport.self(), transport.options().incarnation())));
        ctx.pipeline()
                .get(FrameDecoder.class)
                .raiseLimit(transport.options().codec().maxMessageBytes());
        ctx.pipeline().replace(this, "envelopes", new InboundEnvelopeHandler(transport, hello.member()));
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
        if (!hello.target().equals(transport.self())) {
            return Optional.of("this is " + transport.self() + ", not " + hello.target());
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
