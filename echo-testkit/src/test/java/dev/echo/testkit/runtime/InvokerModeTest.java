package dev.echo.testkit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberHealth;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.View;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.testkit.storage.InMemoryJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whole nodes on time the test owns (issue 19, "the runtime on injected time"): three {@link EchoNode}s in invoker
 * mode share one {@link dev.echo.core.NodeClock} that only the test advances, so elections, retries and request
 * deadlines happen in simulated time, on the test's thread, with no sleep and no wall clock; and the same seeds give
 * the same run.
 */
class InvokerModeTest {
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("a"), MemberId.of("b"), MemberId.of("c"));
    private static final long MILLI = 1_000_000;

    private final AtomicLong now = new AtomicLong();
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<MemberId, EchoNode> nodes = new LinkedHashMap<>();
    private final Map<MemberId, ReplicatedGroup> groups = new LinkedHashMap<>();
    /** What each member's listener heard of the others' reachability, in order. */
    private final Map<MemberId, List<String>> heard = new LinkedHashMap<>();
    /** Nodes not run for now: a paused process (a long GC pause, a stopped VM). */
    private final Map<MemberId, EchoNode> paused = new LinkedHashMap<>();

    @AfterEach
    void close() {
        nodes.values().forEach(EchoNode::close);
        paused.values().forEach(EchoNode::close);
    }

    @Test
    void threeNodesElectAndCommitOnSimulatedTimeAlone() {
        startAll(MEMBERS, 7);
        ReplicatedGroup any = groups.get(MemberId.of("a"));
        runUntil(any.whenQuorum(), 5_000);
        CompletableFuture<byte[]> written = any.submit(Counter.encode(5));
        runUntil(written, 5_000);
        assertEquals(5, Counter.decode(written.join()));
        for (ReplicatedGroup group : groups.values()) {
            CompletableFuture<byte[]> read = group.readStale(new byte[0]);
            runUntil(read, 1_000);
            assertEquals(5, Counter.decode(read.join()), "every member applied the write");
        }
    }

    @Test
    void theSameSeedsGiveTheSameRun() {
        InvokerModeTest again = new InvokerModeTest();
        try {
            assertEquals(run(11), again.run(11));
        } finally {
            again.close();
        }
    }

    /** A request's deadline is measured on the node's clock: it expires when simulated time passes it, not before. */
    @Test
    void aRequestTimesOutWhenTheNodesClockPassesItsDeadline() {
        Duration timeout = Duration.ofSeconds(2);
        MemberId alone = MemberId.of("a");
        startAll(List.of(alone), 3, timeout); // b and c never start: no leader, no answer
        long asked = now.get();
        CompletableFuture<View> change = groups.get(alone).addVoter(MemberId.of("d"), 1);
        runUntil(() -> now.get() - asked >= timeout.toNanos() - 20 * MILLI, 5_000);
        assertFalse(change.isDone(), "still waiting just before the deadline");
        runUntil(change, 1_000);
        CompletionException failed = assertThrows(CompletionException.class, change::join);
        assertEquals(EchoException.Reason.TIMEOUT, ((EchoException) failed.getCause()).reason());
        assertTrue(now.get() - asked >= timeout.toNanos(), "not before the deadline");
    }

    /** A batch goes to the loop at once; each command commits, or fails, on its own, in list order (issue 20). */
    @Test
    void aBatchOfCommandsCommitsEachInOrderAndRefusesOnlyWhatIsInvalid() {
        startAll(MEMBERS, 9);
        ReplicatedGroup a = groups.get(MemberId.of("a"));
        runUntil(a.whenQuorum(), 5_000);
        byte[] tooLarge = new byte[(1 << 19) + 1]; // beyond the default maxCommandBytes
        List<CompletableFuture<byte[]>> results =
                a.submitAll(List.of(Counter.encode(1), tooLarge, Counter.encode(10), Counter.encode(100)));
        assertEquals(4, results.size());
        runUntil(() -> results.stream().allMatch(CompletableFuture::isDone), 5_000);
        CompletionException refused =
                assertThrows(CompletionException.class, () -> results.get(1).join());
        assertEquals(EchoException.Reason.TOO_LARGE, ((EchoException) refused.getCause()).reason());
        assertEquals(
                List.of(1L, 11L, 111L),
                List.of(
                        Counter.decode(results.get(0).join()),
                        Counter.decode(results.get(2).join()),
                        Counter.decode(results.get(3).join())));
    }

    /** The leader sees a paused member become unreachable, and reachable again when it resumes (issue 24). */
    @Test
    void theLeaderReportsAMemberThatStopsAnsweringAndComesBack() {
        startAll(MEMBERS, 5);
        runUntil(groups.get(MemberId.of("a")).whenQuorum(), 5_000);
        MemberId leader = groups.entrySet().stream()
                .filter(g -> g.getValue().status().role() == GroupStatus.Role.LEADER)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        MemberId follower =
                MEMBERS.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        CompletableFuture<List<MemberHealth>> healthy = groups.get(leader).health();
        runUntil(healthy, 100);
        assertEquals(2, healthy.join().size());
        assertTrue(
                healthy.join().stream().allMatch(MemberHealth::reachable),
                healthy.join().toString());
        CompletableFuture<List<MemberHealth>> atFollower = groups.get(follower).health();
        runUntil(atFollower, 100);
        assertEquals(List.of(), atFollower.join(), "only the leader tracks the others");

        paused.put(follower, nodes.remove(follower));
        runUntil(() -> heard.get(leader).contains("unreachable " + follower), 2_000);
        CompletableFuture<List<MemberHealth>> degraded = groups.get(leader).health();
        runUntil(degraded, 100);
        MemberHealth silent = degraded.join().stream()
                .filter(h -> h.member().equals(follower))
                .findFirst()
                .orElseThrow();
        assertFalse(silent.reachable());
        assertTrue(silent.lastHeard().compareTo(Duration.ofMillis(150)) > 0, silent.toString());

        nodes.put(follower, paused.remove(follower));
        runUntil(() -> heard.get(leader).contains("reachable " + follower), 2_000);
        assertEquals(List.of("unreachable " + follower, "reachable " + follower), heard.get(leader));
    }

    /** Elects, writes three values through different members and reports what happened, with simulated times. */
    private List<String> run(long seed) {
        startAll(MEMBERS, seed);
        List<String> log = new ArrayList<>();
        runUntil(groups.get(MemberId.of("a")).whenQuorum(), 5_000);
        log.add("quorum at " + now.get() / MILLI + " ms, "
                + groups.get(MemberId.of("a")).status());
        long amount = 1;
        for (Map.Entry<MemberId, ReplicatedGroup> member : groups.entrySet()) {
            CompletableFuture<byte[]> written = member.getValue().submit(Counter.encode(amount++));
            runUntil(written, 5_000);
            log.add(member.getKey() + " total " + Counter.decode(written.join()) + " at " + now.get() / MILLI + " ms");
        }
        return log;
    }

    private void startAll(List<MemberId> started, long seed) {
        startAll(started, seed, Duration.ofSeconds(30));
    }

    private void startAll(List<MemberId> started, long seed, Duration requestTimeout) {
        for (MemberId member : started) {
            EchoNode node = EchoNode.builder(member)
                    .transport(network.transport(member))
                    .journal(new InMemoryJournal())
                    .invoker(true)
                    .clock(now::get)
                    .randomSeed(seed + member.hashCode())
                    .build();
            try {
                node.start();
            } catch (Exception cannotBind) {
                throw new AssertionError(cannotBind);
            }
            GroupOptions.Builder options = GroupOptions.builder().requestTimeout(requestTimeout);
            MEMBERS.forEach(options::voter);
            nodes.put(member, node);
            List<String> events = heard.computeIfAbsent(member, m -> new ArrayList<>());
            groups.put(member, node.join("counter", options.build(), new Counter(), new GroupListener() {
                @Override
                public void memberUnreachable(MemberId other, GroupStatus status) {
                    events.add("unreachable " + other);
                }

                @Override
                public void memberReachable(MemberId other, GroupStatus status) {
                    events.add("reachable " + other);
                }
            }));
        }
    }

    private void runUntil(CompletableFuture<?> done, long maxSimulatedMillis) {
        runUntil(done::isDone, maxSimulatedMillis);
    }

    /**
     * Runs every node until none has work, then lets one millisecond of simulated time pass, until {@code done}
     * holds. Fails if it does not within {@code maxSimulatedMillis} of simulated time.
     */
    private void runUntil(BooleanSupplier done, long maxSimulatedMillis) {
        long deadline = now.get() + maxSimulatedMillis * MILLI;
        while (!done.getAsBoolean()) {
            assertTrue(now.get() < deadline, "not done within " + maxSimulatedMillis + " simulated ms");
            boolean worked = true;
            while (worked) {
                worked = false;
                for (EchoNode node : nodes.values()) {
                    worked |= node.runPending();
                }
            }
            if (!done.getAsBoolean()) {
                now.addAndGet(MILLI);
            }
        }
    }
}
