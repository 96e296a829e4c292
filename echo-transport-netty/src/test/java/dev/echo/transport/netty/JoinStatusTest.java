package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.JoinProgress;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.StateMachine;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.node.EchoNode;
import dev.echo.testkit.storage.InMemoryJournal;
import dev.echo.testkit.transport.Inbox;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md §8, issue 21's bad input: a machine whose seed cannot be reached keeps asking with back-off, and its
 * status says which seed it cannot reach and how its last request ended.
 */
class JoinStatusTest {
    private static final MemberId SEED = MemberId.of("a");
    private static final MemberId JOINER = MemberId.of("b");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    /** Applies nothing: the group never forms here. */
    private static final StateMachine NOTHING = new StateMachine() {
        @Override
        public byte[] apply(long index, byte[] command) {
            return command;
        }

        @Override
        public byte[] query(byte[] query) {
            return query;
        }
    };

    @Test
    void aJoiningMachineSaysWhichSeedItCannotReach() throws Exception {
        TcpFixture fixture = new TcpFixture(false);
        // The seed's port is bound and never answers: connections open and the handshake meets silence.
        try (ServerSocket silentSeed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                EchoNode node = EchoNode.builder(JOINER)
                        .transport(new NettyTcpTransport(
                                fixture.options(JOINER, builder -> builder.codec(MessageCodec.defaults())
                                        .timeouts(Duration.ofSeconds(1), Duration.ofMillis(200)))))
                        .journal(new InMemoryJournal())
                        .build()
                        .start()) {
            GroupOptions options = GroupOptions.builder()
                    .voter(SEED, 1, MemberAddress.of(new PeerAddress("127.0.0.1", silentSeed.getLocalPort())))
                    .joinAt(MemberAddress.of(new PeerAddress("127.0.0.1", 1)))
                    .build();
            ReplicatedGroup group = node.join("g", options, NOTHING, new GroupListener() {});

            assertTrue(
                    Inbox.await(
                            () -> group.joining()
                                    .map(progress -> progress.unreachableSeeds().equals(List.of(SEED))
                                            && progress.lastOutcome().isPresent()
                                            && progress.attempts() >= 2)
                                    .orElse(false),
                            PATIENCE),
                    "status: " + group.joining());
            JoinProgress progress = group.joining().orElseThrow();
            assertEquals(List.of(SEED), progress.seeds());
            assertFalse(progress.gaveUp(), "it keeps asking");
            assertTrue(
                    progress.lastOutcome().get().contains("no answer"),
                    progress.lastOutcome().get());
        }
    }

    @Test
    void aMemberThatNeverAskedHasNoJoinStatus() throws Exception {
        TcpFixture fixture = new TcpFixture(false);
        try (EchoNode node = EchoNode.builder(SEED)
                .transport(
                        new NettyTcpTransport(fixture.options(SEED, builder -> builder.codec(MessageCodec.defaults()))))
                .journal(new InMemoryJournal())
                .build()
                .start()) {
            ReplicatedGroup group =
                    node.join("g", GroupOptions.builder().voter(SEED).build(), NOTHING, new GroupListener() {});
            assertEquals(java.util.Optional.empty(), group.joining());
        }
    }
}
