package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.transport.TransportException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connecting side of a one-off handshake that asks whoever listens at a seed's address who it is (PROTOCOL.md §8):
 * a hello with no target, answered by the peer's welcome. The answer is trusted exactly as a link's would be: with
 * TLS the peer's certificate must name the member it says it is, with a cluster key it must prove it holds the key
 * (and this side proves it too, so the peer sees a well-formed handshake). Then the connection is closed: it only
 * served to learn the id, and the member's link dials it by that id later.
 *
 * <p>Not shareable; runs on the channel's event loop. Completes {@code identified} exactly once.
 */
final class IdentifyHandler extends HandshakeStage {
    private static final Logger LOG = LoggerFactory.getLogger(IdentifyHandler.class);

    private final PeerAddress address;
    private final CompletableFuture<MemberId> identified;
    private final byte[] nonce = ClusterKeyAuth.nonce();

    IdentifyHandler(NettyTcpTransport transport, PeerAddress address, CompletableFuture<MemberId> identified) {
        super(transport, LOG);
        this.address = address;
        this.identified = identified;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sendHello(
                ctx,
                Optional.empty(),
                nonce,
                () -> fail(TransportException.Reason.PEER_UNREACHABLE, "no handshake answer in time"));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Handshake handshake = readOrClose(
                ctx, (ByteBuf) msg, why -> fail(TransportException.Reason.PEER_REFUSED, "malformed answer: " + why));
        if (handshake == null) {
            return;
        }
        cancelTimeout();
        Optional<String> problem = problem(ctx, handshake);
        if (problem.isPresent()) {
            transport().counters().handshakeRefused();
            fail(TransportException.Reason.PEER_REFUSED, problem.get());
            ctx.close();
            return;
        }
        Handshake.Welcome welcome = (Handshake.Welcome) handshake;
        ClusterKeyAuth key = transport().keyAuth();
        if (key != null) {
            ClusterKeyAuth.Transcript transcript = new ClusterKeyAuth.Transcript(
                    transport().options().clusterId(), transport().self(), welcome.member(), nonce, welcome.nonce());
            if (!ClusterKeyAuth.matches(key.serverProof(transcript), welcome.proof())) {
                transport().counters().authFailure();
                fail(TransportException.Reason.PEER_REFUSED, "it did not prove it holds the cluster key");
                ctx.close();
                return;
            }
            ctx.writeAndFlush(Frames.handshake(ctx.alloc(), new Handshake.Proof(key.clientProof(transcript))));
        }
        identified.complete(welcome.member());
        ctx.close();
    }

    /** What makes the answer unusable, if anything; the same checks as a link's, less the expected id. */
    private Optional<String> problem(ChannelHandlerContext ctx, Handshake handshake) {
        if (handshake instanceof Handshake.Refusal refusal) {
            return Optional.of("refused: " + refusal.reason());
        }
        if (!(handshake instanceof Handshake.Welcome welcome)) {
            return Optional.of("expected a welcome, got " + handshake.getClass().getSimpleName());
        }
        if (welcome.member().equals(transport().self())) {
            return Optional.of("it is this member itself");
        }
        if (transport().keyAuth() == null && welcome.proof().length > 0) {
            return Optional.of("it requires a cluster key, and this member has none");
        }
        if (PeerCertificates.isTls(ctx.channel()) && transport().options().requireNameMatch()) {
            Optional<String> name = PeerCertificates.commonName(ctx.channel());
            if (name.isEmpty() || !name.get().equals(welcome.member().value())) {
                transport().counters().authFailure();
                return Optional.of(
                        "it says it is " + welcome.member() + ", its certificate names " + name.orElse("(none)"));
            }
        }
        return Optional.empty();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(TransportException.Reason.PEER_UNREACHABLE, "the connection closed before the peer said who it is");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(
                TlsFailures.isTls(cause)
                        ? TransportException.Reason.PEER_REFUSED
                        : TransportException.Reason.PEER_UNREACHABLE,
                cause.toString());
        ctx.close();
    }

    private void fail(TransportException.Reason reason, String why) {
        identified.completeExceptionally(new TransportException(reason, "seed " + address + ": " + why, null));
    }
}
