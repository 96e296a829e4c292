package dev.echo.testkit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.GroupStatus;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.MembershipPolicy;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.Tuning;
import dev.echo.core.View;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.testkit.storage.InMemoryJournal;
import dev.echo.testkit.transport.Inbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runtime with real threads over the in-memory transport and journal: three nodes commit and read, commands are
 * exactly-once across a leadership change, a member without quorum fails writes fast with a typed error and tells
 * its listener, backpressure, invoker mode, bad configuration, and close. (Protocol behaviour is proven in the
 * simulator; these tests show the runtime wires it to threads, journal and transport correctly.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoNodeTest {
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"));
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<MemberId, InMemoryJournal> journals = new LinkedHashMap<>();
    private final Map<MemberId, EchoNode> nodes = new LinkedHashMap<>();
    private final Map<MemberId, ReplicatedGroup> groups = new LinkedHashMap<>();
    private final Map<MemberId, Counter> counters = new LinkedHashMap<>();
    /** Simulated time of the invoker-mode nodes, advanced by {@link #drive}. */
    private final AtomicLong invokerClock = new AtomicLong();

    private final List<String> events = new CopyOnWriteArrayList<>();
    /** Members started with {@code joinAt}: they ask to be added by themselves. */
    private final Map<MemberId, MemberAddress> joinAt = new ConcurrentHashMap<>();

    private Duration requestTimeout = Duration.ofSeconds(30);
    private Optional<MembershipPolicy> policy = Optional.empty();
    private final Map<MemberId, RecordingMetrics> metrics = new ConcurrentHashMap<>();
    private final Map<MemberId, List<Long>> views = new ConcurrentHashMap<>();

    @AfterEach
    void closeNodes() {
        nodes.values().forEach(EchoNode::close);
    }

    @Test
    void threeNodesCommitAndReadLinearizably() throws Exception {
        startAll();
        long expected = 0;
        for (int i = 1; i <= 50; i++) {
            MemberId via = MEMBERS.get(i % 3);
            expected += i;
            assertEquals(expected, Counter.decode(submitWithRetry(via, i)));
        }
        for (MemberId member : MEMBERS) {
            assertEquals(
                    expected,
                    Counter.decode(groups.get(member).read(new byte[0]).get(10, TimeUnit.SECONDS)));
        }
        long total = expected;
        assertTrue(Inbox.await(() -> MEMBERS.stream().allMatch(m -> stale(m) == total), PATIENCE));
    }

    @Test
    void commandsAreAppliedExactlyOnceAcrossALeadershipChange() throws Exception {
        startAll();
        submitWithRetry(MEMBERS.get(0), 1);
        List<CompletableFuture<byte[]>> inFlight = new ArrayList<>();
        MemberId leader = leader();
        MemberId successor =
                MEMBERS.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        for (int i = 0; i < 200; i++) {
            inFlight.add(groups.get(MEMBERS.get(i % 3)).submit(Counter.encode(1)));
            if (i == 100) {
                groups.get(leader).transferLeadership(successor);
            }
        }
        int committed = 1;
        for (CompletableFuture<byte[]> future : inFlight) {
            try {
                future.get(30, TimeUnit.SECONDS);
                committed++;
            } catch (ExecutionException failed) {
                EchoException cause = (EchoException) failed.getCause();
                assertTrue(cause.certainlyNotApplied(), cause.toString());
            }
        }
        int expected = committed;
        assertTrue(
                Inbox.await(() -> MEMBERS.stream().allMatch(m -> stale(m) == expected), PATIENCE),
                "every member applied each committed command once: expected " + expected);
    }

    /** The transfer's future says where leadership went, and a transfer asked wrongly is refused with a reason. */
    @Test
    void leadershipMovesToTheTargetAndTheTransferSaysSoOrWhyNot() throws Exception {
        startAll();
        MemberId leader = leader();
        List<MemberId> others = MEMBERS.stream().filter(m -> !m.equals(leader)).toList();

        EchoException notLeader = failureOf(groups.get(others.get(0)).transferLeadership(others.get(1)));
        assertEquals(EchoException.Reason.NOT_LEADER, notLeader.reason(), notLeader.toString());
        EchoException stranger = failureOf(groups.get(leader).transferLeadership(MemberId.of("stranger")));
        assertEquals(EchoException.Reason.INVALID, stranger.reason(), stranger.toString());
        GroupStatus already = groups.get(leader).transferLeadership(leader).get(30, TimeUnit.SECONDS);
        assertEquals(Optional.of(leader), already.leader(), "it leads already");

        MemberId successor = others.get(1);
        GroupStatus moved = groups.get(leader).transferLeadership(successor).get(30, TimeUnit.SECONDS);

        assertEquals(Optional.of(successor), moved.leader(), moved.toString());
        assertEquals(GroupStatus.Role.FOLLOWER, moved.role(), "the old leader follows its successor");
        assertTrue(moved.term() > already.term(), "in a later term: " + already + " -> " + moved);
    }

    /**
     * A transfer to a voter that is down cannot finish: the leader gives up after an election timeout and takes writes
     * again, and the caller hears {@code TIMEOUT} at its request deadline rather than nothing.
     */
    @Test
    void aTransferToAVoterThatIsDownTimesOutAndTheLeaderGoesOn() throws Exception {
        requestTimeout = Duration.ofSeconds(2);
        startAll();
        MemberId leader = leader();
        MemberId down =
                MEMBERS.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        nodes.get(down).close();

        EchoException timedOut = failureOf(groups.get(leader).transferLeadership(down));

        assertEquals(EchoException.Reason.TIMEOUT, timedOut.reason(), timedOut.toString());
        assertEquals(GroupStatus.Role.LEADER, groups.get(leader).status().role(), "it still leads");
        groups.get(leader).submit(Counter.encode(1)).get(30, TimeUnit.SECONDS); // and takes writes again
    }

    /**
     * Once another member leads, the old leader can no longer hand leadership to a transfer's target: the transfer
     * ends with {@code NOT_LEADER}, naming the new leader, instead of waiting for its deadline (30 s here).
     */
    @Test
    void aTransferEndsAsSoonAsLeadershipMovesToAnotherMember() throws Exception {
        startAll();
        MemberId leader = leader();
        List<MemberId> others = MEMBERS.stream().filter(m -> !m.equals(leader)).toList();
        MemberId down = others.get(0);
        MemberId successor = others.get(1);
        nodes.get(down).close();
        CompletableFuture<GroupStatus> toDown = groups.get(leader).transferLeadership(down);

        GroupStatus moved = groups.get(leader).transferLeadership(successor).get(30, TimeUnit.SECONDS);

        assertEquals(Optional.of(successor), moved.leader(), moved.toString());
        assertTrue(toDown.isDone(), "ended together with the transfer that succeeded");
        EchoException ended = failureOf(toDown);
        assertEquals(EchoException.Reason.NOT_LEADER, ended.reason(), ended.toString());
        assertTrue(ended.getMessage().contains("moved to " + successor), ended.getMessage());
    }

    private static EchoException failureOf(CompletableFuture<?> future) throws Exception {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
        return (EchoException) failed.getCause();
    }

    @Test
    void membershipChangesFromAnyMemberAreDeliveredAsViewsEverywhere() throws Exception {
        startAll();
        submitWithRetry(MEMBERS.get(0), 7);
        MemberId n4 = MemberId.of("n4");
        journals.put(n4, new InMemoryJournal());
        start(n4); // not in the bootstrap configuration: it waits as NOT_MEMBER
        assertEquals(GroupStatus.Role.NOT_MEMBER, groups.get(n4).status().role());
        MemberId leader = leader();
        MemberId follower =
                MEMBERS.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();

        // Join: the new member asks for itself; it knows no leader, so it asks every voter it knows.
        View asLearner = groups.get(n4).addLearner(n4).get(10, TimeUnit.SECONDS);
        assertTrue(asLearner.learners().contains(n4));
        assertTrue(Inbox.await(() -> stale(n4) == 7, PATIENCE), "the learner caught up from the log");
        assertTrue(Inbox.await(() -> groups.get(n4).joining().isEmpty(), PATIENCE), "in: no join status any more");
        assertEquals(Optional.empty(), groups.get(MEMBERS.get(0)).joining(), "an original never asked");
        // A learner may not promote itself, nor remove anyone else (PROTOCOL.md §10): only a voter may.
        for (var change : List.<java.util.function.Supplier<java.util.concurrent.CompletableFuture<View>>>of(
                () -> groups.get(n4).addVoter(n4, 5), () -> groups.get(n4).removeMember(MEMBERS.get(0)))) {
            ExecutionException refused =
                    assertThrows(ExecutionException.class, () -> change.get().get(10, TimeUnit.SECONDS));
            assertEquals(EchoException.Reason.UNAUTHORISED, ((EchoException) refused.getCause()).reason());
        }
        // A follower's request is forwarded to the leader.
        View promoted = groups.get(follower).addVoter(n4, 2).get(10, TimeUnit.SECONDS);
        assertEquals(new View.Member(n4, 2), promoted.voters().get(3), "promoted at the lowest rank with its weight");
        assertTrue(promoted.epoch() > asLearner.epoch());
        ExecutionException invalid = assertThrows(
                ExecutionException.class,
                () -> groups.get(follower).makeTop(MemberId.of("stranger")).get(10, TimeUnit.SECONDS));
        assertEquals(EchoException.Reason.INVALID, ((EchoException) invalid.getCause()).reason());

        // Leave: a member asks for its own removal; it is told, then stops.
        MemberId leaving = MEMBERS.get(2).equals(leader) ? MEMBERS.get(1) : MEMBERS.get(2);
        View without = groups.get(leaving).leave().get(10, TimeUnit.SECONDS);
        assertTrue(!without.contains(leaving));
        assertTrue(events.contains(leaving + " removed"), events.toString());
        assertTrue(Inbox.await(() -> groups.get(leaving).status().role() == GroupStatus.Role.CLOSED, PATIENCE));
        for (MemberId member : List.of(MEMBERS.get(0), MEMBERS.get(1), MEMBERS.get(2), n4)) {
            assertTrue(
                    Inbox.await(() -> views.get(member).contains(without.epoch()), PATIENCE),
                    member + " saw views " + views.get(member));
        }
        assertTrue(views.get(n4).indexOf(asLearner.epoch()) < views.get(n4).indexOf(without.epoch()), "log order");
        assertEquals(16, Counter.decode(submitWithRetry(n4, 9)), "the new voter serves writes");
    }

    @Test
    void aMachineJoinsByItselfAndReplacesADeadVoter() throws Exception {
        requestTimeout = Duration.ofSeconds(3);
        startAll();
        submitWithRetry(MEMBERS.get(0), 7);
        MemberId n4 = MemberId.of("n4");
        MemberAddress at = MemberAddress.of(PeerAddress.parse("10.0.0.4:7001"), new byte[] {4});
        joinAt.put(n4, at);
        journals.put(n4, new InMemoryJournal());
        start(n4); // asks the voters it knows (its seeds) to add it, by itself
        assertTrue(
                Inbox.await(() -> groups.get(MEMBERS.get(0)).view().learners().contains(n4), PATIENCE),
                "added as a learner from its own request");
        assertEquals(Optional.of(at), groups.get(MEMBERS.get(0)).view().addressOf(n4), "at its address");
        assertTrue(Inbox.await(() -> stale(n4) == 7, PATIENCE), "the learner caught up from the log");

        // A voter must have caught up: a machine that never runs is refused, after the request timeout.
        ExecutionException lagging = assertThrows(ExecutionException.class, () -> groups.get(MEMBERS.get(0))
                .addLearner(MemberId.of("n5"), MemberAddress.of(PeerAddress.parse("10.0.0.5:7001")))
                .thenCompose(view -> groups.get(MEMBERS.get(0)).addVoter(MemberId.of("n5"), 1))
                .get(20, TimeUnit.SECONDS));
        assertEquals(EchoException.Reason.NOT_CAUGHT_UP, ((EchoException) lagging.getCause()).reason());
        groups.get(MEMBERS.get(0)).removeMember(MemberId.of("n5")).get(20, TimeUnit.SECONDS);

        MemberId dead = MEMBERS.get(2);
        nodes.remove(dead).close();
        View replaced = replaceWithRetry(MEMBERS.get(0), dead, n4, at);
        assertEquals(
                List.of(new View.Member(MEMBERS.get(0), 1), new View.Member(MEMBERS.get(1), 1), new View.Member(n4, 1)),
                replaced.voters(),
                "n4 took the dead member's rank and weight");
        assertTrue(!replaced.contains(dead));
        assertEquals(16, Counter.decode(submitWithRetry(n4, 9)), "the new voter serves writes");
    }

    @Test
    void theNodeReportsItsMetricsToTheSink() throws Exception { // issue 24
        startAll();
        for (int i = 1; i <= 20; i++) {
            submitWithRetry(MEMBERS.get(0), i);
        }
        MemberId leader = leader();
        String[] atFirst = {"group", "counter", "member", MEMBERS.get(0).value()};
        RecordingMetrics first = metrics.get(MEMBERS.get(0));
        assertTrue(first.recorded("echo.commit.latency", atFirst) >= 20, "one latency per acknowledged write");
        assertEquals(
                0, metrics.get(MEMBERS.get(1)).recorded("echo.commit.latency", "group", "counter", "member", "n2"));
        assertTrue(metrics.get(leader).count("echo.elections.won", "group", "counter", "member", leader.value()) >= 1);
        assertTrue(first.count("echo.leader.changes", atFirst) >= 1);
        assertTrue(first.gauge("echo.term", atFirst) >= 1);
        assertTrue(first.gauge("echo.commit.index", atFirst) >= 20);
        assertTrue(Inbox.await(() -> first.gauge("echo.operations.in.flight", atFirst) == 0, PATIENCE), "all done");
        assertTrue(first.gauge("echo.apply.lag", atFirst) >= 0);
        assertEquals(0, first.gauge("echo.voters.suspended", atFirst));
        assertTrue(first.gauge("echo.transport.messages.out", "member", "n1") > 0);
        RecordingMetrics atLeader = metrics.get(leader);
        for (MemberId follower : MEMBERS) {
            if (!follower.equals(leader)) {
                String[] lagTags = {"group", "counter", "member", leader.value(), "follower", follower.value()};
                assertTrue(
                        Inbox.await(
                                () -> atLeader.gauges.containsKey(RecordingMetrics.key("echo.follower.lag", lagTags))
                                        && atLeader.gauge("echo.follower.lag", lagTags) == 0,
                                PATIENCE),
                        "the leader reports " + follower + "'s lag, caught up");
            }
        }
        assertEquals(0, first.count("echo.snapshots.taken", atFirst), "registered; this group takes no snapshots");

        long viewsBefore = first.count("echo.view.changes", atFirst);
        groups.get(MEMBERS.get(0)).addLearner(MemberId.of("n9")).get(10, TimeUnit.SECONDS);
        assertEquals(viewsBefore + 1, first.count("echo.view.changes", atFirst), "the new view, applied here");
    }

    @Test
    void theLeadersPolicyLetsALearnerPromoteItself() throws Exception {
        // Every member gets the policy, since any may lead: a learner may ask for its own promotion, nothing more.
        policy = Optional.of((asker, current, proposed) -> !current.isVoter(asker) && proposed.isVoter(asker));
        startAll();
        submitWithRetry(MEMBERS.get(0), 7);
        MemberId n4 = MemberId.of("n4");
        joinAt.put(n4, MemberAddress.of(PeerAddress.parse("10.0.0.4:7001")));
        journals.put(n4, new InMemoryJournal());
        start(n4);
        assertTrue(Inbox.await(() -> stale(n4) == 7, PATIENCE), "joined and caught up");
        ExecutionException refused = assertThrows(
                ExecutionException.class,
                () -> groups.get(n4).removeMember(MEMBERS.get(0)).get(10, TimeUnit.SECONDS));
        assertEquals(EchoException.Reason.UNAUTHORISED, ((EchoException) refused.getCause()).reason());
        View promoted = groups.get(n4).addVoter(n4, 1).get(20, TimeUnit.SECONDS);
        assertEquals(3, promoted.rankOf(n4), "approved by the leader's policy");
    }

    /** {@code replace}, retried while leadership moves or another change (a new leader's no-op) is in progress. */
    private View replaceWithRetry(MemberId via, MemberId dead, MemberId fresh, MemberAddress at) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                return groups.get(via).replace(dead, fresh, at).get(20, TimeUnit.SECONDS);
            } catch (ExecutionException failed) {
                // The dead member may have led: the request is abandoned while a new leader is elected, and a
                // replace is safe to ask again (a step already taken changes nothing).
                EchoException cause = (EchoException) failed.getCause();
                assertTrue(
                        Set.of(
                                        EchoException.Reason.CHANGE_IN_PROGRESS,
                                        EchoException.Reason.NO_QUORUM,
                                        EchoException.Reason.TIMEOUT)
                                .contains(cause.reason()),
                        cause.getMessage());
                assertTrue(System.nanoTime() < deadline, "still in progress after " + PATIENCE);
                groups.get(via).whenQuorum().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void withoutQuorumWritesFailFastAndTheListenerIsTold() throws Exception {
        startAll();
        submitWithRetry(MEMBERS.get(0), 5);
        MemberId survivor = MEMBERS.get(0);
        nodes.remove(MEMBERS.get(1)).close();
        nodes.remove(MEMBERS.get(2)).close();
        assertTrue(Inbox.await(() -> !groups.get(survivor).status().hasQuorum(), PATIENCE));
        ExecutionException failed = assertThrows(
                ExecutionException.class,
                () -> groups.get(survivor).submit(Counter.encode(1)).get(10, TimeUnit.SECONDS));
        EchoException cause = (EchoException) failed.getCause();
        assertEquals(EchoException.Reason.NO_QUORUM, cause.reason());
        assertTrue(cause.certainlyNotApplied());
        assertTrue(events.contains(survivor + " lost"), events.toString());
        events.clear();
        start(MEMBERS.get(1)); // recovers from its journal
        assertTrue(Inbox.await(() -> events.contains(survivor + " regained"), PATIENCE), events.toString());
        assertEquals(6, Counter.decode(submitWithRetry(survivor, 1)));
    }

    @Test
    void aLeaderLeftAloneFailsNewClientsFastEvenBeforeTheirSessionOpened() throws Exception {
        startAll();
        MemberId leader = leader();
        for (MemberId member : MEMBERS) {
            if (!member.equals(leader)) {
                nodes.remove(member).close();
            }
        }
        // Its first client operation opens a session, which the leader appends but can no longer commit.
        CompletableFuture<byte[]> first = groups.get(leader).submit(Counter.encode(1));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
        assertEquals(EchoException.Reason.NO_QUORUM, ((EchoException) failed.getCause()).reason());
        ExecutionException next = assertThrows(
                ExecutionException.class,
                () -> groups.get(leader).submit(Counter.encode(1)).get(5, TimeUnit.SECONDS));
        assertEquals(EchoException.Reason.NO_QUORUM, ((EchoException) next.getCause()).reason());
    }

    @Test
    void aFullGroupFailsFastWithOverloaded() throws Exception {
        MemberId solo = MemberId.of("solo");
        try (EchoNode node = soloInvokerNode(solo)) {
            GroupOptions options =
                    GroupOptions.builder().voter(solo).maxInFlight(1, false).build();
            ReplicatedGroup group = node.join("g", options, new Counter(), new GroupListener() {});
            drive(node, group.whenQuorum());
            CompletableFuture<byte[]> first = group.submit(Counter.encode(1));
            ExecutionException refused = assertThrows(ExecutionException.class, () -> group.submit(Counter.encode(1))
                    .get());
            assertEquals(EchoException.Reason.OVERLOADED, ((EchoException) refused.getCause()).reason());
            drive(node, first);
            assertEquals(1, Counter.decode(first.get()));
            CompletableFuture<byte[]> second = group.submit(Counter.encode(2));
            drive(node, second);
            assertEquals(3, Counter.decode(second.get()), "room again once the first finished");
        }
    }

    @Test
    void aThrowingStateMachineStopsItsGroupOnlyWithATypedError() throws Exception {
        MemberId solo = MemberId.of("solo");
        try (EchoNode node = soloInvokerNode(solo)) {
            GroupOptions options = GroupOptions.builder().voter(solo).build();
            ReplicatedGroup broken = node.join(
                    "broken",
                    options,
                    new Counter() {
                        @Override
                        public byte[] apply(long index, byte[] command) {
                            throw new IllegalStateException("application bug");
                        }
                    },
                    new GroupListener() {});
            ReplicatedGroup healthy = node.join("healthy", options, new Counter(), new GroupListener() {});
            drive(node, CompletableFuture.allOf(broken.whenQuorum(), healthy.whenQuorum()));
            CompletableFuture<byte[]> failing = broken.submit(Counter.encode(1));
            drive(node, failing);
            ExecutionException failed = assertThrows(ExecutionException.class, failing::get);
            assertEquals(EchoException.Reason.INTERNAL_ERROR, ((EchoException) failed.getCause()).reason());
            assertEquals(GroupStatus.Role.CLOSED, broken.status().role());
            CompletableFuture<byte[]> fine = healthy.submit(Counter.encode(5));
            drive(node, fine);
            assertEquals(5, Counter.decode(fine.get()), "the node's other groups carry on");
        }
    }

    @Test
    void badConfigurationIsRefusedWithAClearError() throws Exception {
        MemberId solo = MemberId.of("solo");
        assertThrows(
                IllegalArgumentException.class, () -> EchoNode.builder(solo).build());
        assertThrows(IllegalArgumentException.class, () -> EchoNode.builder(solo)
                .transport(network.transport(MemberId.of("other")))
                .journal(new InMemoryJournal())
                .build());
        try (EchoNode node = EchoNode.builder(solo)
                .transport(network.transport(solo))
                .journal(new InMemoryJournal())
                .build()
                .start()) {
            IllegalArgumentException notMember = assertThrows(
                    IllegalArgumentException.class,
                    () -> node.join(
                            "g",
                            GroupOptions.builder().voter(MemberId.of("x")).build(),
                            new Counter(),
                            new GroupListener() {}));
            assertTrue(notMember.getMessage().contains("not a member"), notMember.getMessage());
            GroupOptions tooBig = GroupOptions.builder()
                    .voter(solo)
                    .tuning(Tuning.defaults().withBatching(4096, 32))
                    .build();
            IllegalArgumentException batching = assertThrows(
                    IllegalArgumentException.class,
                    () -> node.join("g", tooBig, new Counter(), new GroupListener() {}));
            assertTrue(batching.getMessage().contains("maxEntriesPerAppend"), batching.getMessage());
            node.join("g", GroupOptions.builder().voter(solo).build(), new Counter(), new GroupListener() {});
            assertThrows(
                    IllegalStateException.class,
                    () -> node.join(
                            "g", GroupOptions.builder().voter(solo).build(), new Counter(), new GroupListener() {}));
        }
    }

    @Test
    void closeFailsPendingAndLaterOperationsWithClosedAndIsIdempotent() throws Exception {
        MemberId solo = MemberId.of("solo");
        EchoNode node = soloInvokerNode(solo);
        ReplicatedGroup group =
                node.join("g", GroupOptions.builder().voter(solo).build(), new Counter(), new GroupListener() {});
        drive(node, group.whenQuorum());
        CompletableFuture<byte[]> pending = group.submit(Counter.encode(1));
        node.close();
        node.close();
        ExecutionException closed = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertEquals(EchoException.Reason.CLOSED, ((EchoException) closed.getCause()).reason());
        ExecutionException later = assertThrows(
                ExecutionException.class, () -> group.submit(Counter.encode(1)).get());
        assertEquals(EchoException.Reason.CLOSED, ((EchoException) later.getCause()).reason());
        assertEquals(GroupStatus.Role.CLOSED, group.status().role());
    }

    @Test
    void aThousandGroupsShareOneNodeWithoutRunawayThreadsOrMemory() throws Exception {
        MemberId solo = MemberId.of("solo");
        int threadsBefore = Thread.activeCount();
        try (EchoNode node = EchoNode.builder(solo)
                .transport(network.transport(solo))
                .journal(new InMemoryJournal())
                .loopThreads(2)
                .build()
                .start()) {
            List<ReplicatedGroup> many = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                many.add(node.join(
                        "g" + i, GroupOptions.builder().voter(solo).build(), new Counter(), new GroupListener() {}));
            }
            for (ReplicatedGroup group : many) {
                group.whenQuorum().get(30, TimeUnit.SECONDS);
            }
            List<CompletableFuture<byte[]>> results = new ArrayList<>();
            for (ReplicatedGroup group : many) {
                results.add(group.submit(Counter.encode(7)));
            }
            for (CompletableFuture<byte[]> result : results) {
                assertEquals(7, Counter.decode(result.get(30, TimeUnit.SECONDS)));
            }
            assertTrue(
                    Thread.activeCount() - threadsBefore <= 4,
                    "threads grew by " + (Thread.activeCount() - threadsBefore));
            Runtime runtime = Runtime.getRuntime();
            System.gc();
            long usedMiB = (runtime.totalMemory() - runtime.freeMemory()) >> 20;
            assertTrue(usedMiB < 512, usedMiB + " MiB in use with 1,000 groups");
        }
    }

    /**
     * Runs {@code node} on the test's thread until {@code until} completes, letting one tick of simulated time pass
     * whenever it has nothing to do: no sleep, no wall clock.
     */
    private void drive(EchoNode node, CompletableFuture<?> until) {
        long deadline = invokerClock.get() + TimeUnit.SECONDS.toNanos(10);
        while (!until.isDone()) {
            assertTrue(invokerClock.get() < deadline, "invoker mode made no progress in 10 simulated seconds");
            if (!node.runPending()) {
                invokerClock.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    /** A one-member node on the test's thread and clock ({@link #drive}). */
    private EchoNode soloInvokerNode(MemberId solo) throws Exception {
        return EchoNode.builder(solo)
                .transport(network.transport(solo))
                .journal(new InMemoryJournal())
                .invoker(true)
                .clock(invokerClock::get)
                .build()
                .start();
    }

    private void startAll() throws Exception {
        for (MemberId member : MEMBERS) {
            journals.put(member, new InMemoryJournal());
            start(member);
        }
    }

    private void start(MemberId member) throws Exception {
        InMemoryJournal journal = journals.get(member);
        if (nodes.containsKey(member) || groups.containsKey(member)) {
            journal = journal.reopen();
            journals.put(member, journal);
        }
        RecordingMetrics recording = metrics.computeIfAbsent(member, m -> new RecordingMetrics());
        EchoNode node = EchoNode.builder(member)
                .metrics(recording)
                .transport(network.transport(member))
                .journal(journal)
                .build()
                .start();
        Counter counter = new Counter();
        GroupOptions.Builder options = GroupOptions.builder().requestTimeout(requestTimeout);
        policy.ifPresent(options::membershipPolicy);
        MEMBERS.forEach(options::voter);
        if (joinAt.containsKey(member)) {
            options.joinAt(joinAt.get(member));
        } else if (!MEMBERS.contains(member)) {
            options.newMember();
        }
        ReplicatedGroup group = node.join("counter", options.build(), counter, new GroupListener() {
            @Override
            public void quorumLost(GroupStatus status) {
                events.add(member + " lost");
            }

            @Override
            public void quorumRegained(GroupStatus status) {
                events.add(member + " regained");
            }

            @Override
            public void viewChanged(View view) {
                views.computeIfAbsent(member, m -> new CopyOnWriteArrayList<>()).add(view.epoch());
            }

            @Override
            public void removed(View view) {
                events.add(member + " removed");
            }
        });
        nodes.put(member, node);
        groups.put(member, group);
        counters.put(member, counter);
    }

    private byte[] submitWithRetry(MemberId via, long amount) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                return groups.get(via).submit(Counter.encode(amount)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException failed) {
                EchoException cause = (EchoException) failed.getCause();
                assertTrue(cause.certainlyNotApplied(), "only safe-to-retry failures are retried: " + cause);
                assertTrue(System.nanoTime() < deadline, "no quorum in time: " + cause);
                Thread.sleep(20); // the group is still electing its first leader
            }
        }
    }

    private MemberId leader() {
        assertTrue(Inbox.await(
                () -> MEMBERS.stream().anyMatch(m -> groups.get(m).status().role() == GroupStatus.Role.LEADER),
                PATIENCE));
        return MEMBERS.stream()
                .filter(m -> groups.get(m).status().role() == GroupStatus.Role.LEADER)
                .findFirst()
                .orElseThrow();
    }

    private long stale(MemberId member) {
        try {
            return Counter.decode(groups.get(member).readStale(new byte[0]).get(5, TimeUnit.SECONDS));
        } catch (Exception e) {
            return -1;
        }
    }
}
