package dev.echo.transport.netty.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.MemberStatus;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.Voter;
import dev.echo.testkit.kv.KvCommand;
import dev.echo.testkit.kv.KvStateMachine;
import dev.echo.testkit.transport.Inbox;
import dev.echo.testkit.transport.TransportConformance;
import dev.echo.transport.netty.TransportFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three members, each with its own real transport on loopback, run the real protocol core: a client commits a
 * workload, the leader is restarted mid-way (its transport closed and re-bound on the same port, its core rebuilt
 * from its durable state), the workload finishes, and every member ends with the same state, equal to the client's
 * model of its acknowledged writes.
 */
class ThreeMembersOverTheWireIT {
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"));
    private static final Configuration CONFIGURATION = new Configuration(
            List.of(new Voter(MEMBERS.get(0), 1), new Voter(MEMBERS.get(1), 1), new Voter(MEMBERS.get(2), 1)),
            new TreeSet<>());
    private static final long CLIENT = 77;
    private static final int WRITES_BEFORE_RESTART = 100;
    private static final int WRITES_AFTER_RESTART = 100;

    private final Map<MemberId, LiveMember.Disk> disks = new LinkedHashMap<>();
    private final Map<MemberId, LiveMember> live = new LinkedHashMap<>();
    private TransportConformance.Fixture fixture;
    private int seed;

    @ParameterizedTest
    @EnumSource(TransportFixtures.Kind.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void commitAWorkloadAndSurviveTheLeadersRestart(TransportFixtures.Kind kind) throws Exception {
        fixture = TransportFixtures.create(kind, List.of("n1", "n2", "n3"));
        try {
            for (MemberId member : MEMBERS) {
                disks.put(member, new LiveMember.Disk());
                start(member);
            }
            KvStateMachine model = new KvStateMachine();
            long sequence = 0;
            commit(0, null);
            for (int i = 1; i <= WRITES_BEFORE_RESTART; i++) {
                commit(++sequence, KvCommand.put("k" + (i % 17), "v" + i).encode());
                model.apply(sequence, KvCommand.put("k" + (i % 17), "v" + i).encode());
            }
            MemberId leader = leader();
            live.remove(leader).close();
            start(leader);
            for (int i = 1; i <= WRITES_AFTER_RESTART; i++) {
                commit(++sequence, KvCommand.put("k" + (i % 23), "w" + i).encode());
                model.apply(sequence, KvCommand.put("k" + (i % 23), "w" + i).encode());
            }
            long expected = model.digest();
            assertTrue(
                    Inbox.await(() -> allDigestsEqual(expected), Duration.ofSeconds(20)),
                    "members did not converge on the client's model");
        } finally {
            for (LiveMember member : live.values()) {
                member.close();
            }
            fixture.close();
        }
    }

    private void start(MemberId member) throws Exception {
        live.put(member, new LiveMember(member, CONFIGURATION, fixture.create(member), disks.get(member), ++seed));
    }

    /** Opens the session (sequence 0) or submits a command, retrying at the next member until it commits. */
    private void commit(long sequence, byte[] command) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int attempt = 0;
        while (System.nanoTime() < deadline) {
            LiveMember member = live.get(MEMBERS.get((int) ((sequence + attempt++) % MEMBERS.size())));
            try {
                Output.Outcome outcome = (sequence == 0
                                ? member.openSession(CLIENT)
                                : member.submit(CLIENT, sequence, command))
                        .get(2, TimeUnit.SECONDS);
                if (outcome instanceof Output.Committed) {
                    return;
                }
                Thread.sleep(50); // rejected (no quorum yet): the client backs off and retries
            } catch (ExecutionException | TimeoutException | CancellationException retry) {
                // Unknown outcome: retry with the same sequence; exactly-once makes that safe.
            }
        }
        throw new AssertionError("sequence " + sequence + " did not commit within 30 s");
    }

    private MemberId leader() throws Exception {
        assertTrue(Inbox.await(() -> leaderOrNull() != null, Duration.ofSeconds(10)), "no leader");
        return leaderOrNull();
    }

    private MemberId leaderOrNull() {
        for (Map.Entry<MemberId, LiveMember> entry : live.entrySet()) {
            if (probe(entry.getValue()).status() == MemberStatus.LEADER) {
                return entry.getKey();
            }
        }
        return null;
    }

    private boolean allDigestsEqual(long expected) {
        List<Long> digests = new ArrayList<>();
        for (LiveMember member : live.values()) {
            digests.add(probe(member).digest());
        }
        return digests.stream().allMatch(digest -> digest == expected);
    }

    private static LiveMember.Probe probe(LiveMember member) {
        try {
            return member.call(probe -> probe).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("member did not answer", e);
        }
    }
}
