package dev.echo.testkit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log cache through the real runtime and file journal (docs/architecture.md, "The log cache"): with a cache far
 * smaller than what a member missed, the member still catches up, from entries the leader reads back from its
 * journal off its loop. The protocol's side (what may be evicted, reads racing truncations) is the simulator's {@code eviction} fault.
 */
class LogCacheTest {
    private static final String GROUP = "log-cache-test";
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("c1"), MemberId.of("c2"), MemberId.of("c3"));
    /** A few hundred of the counter's entries. */
    private static final long CACHE_BYTES = 8 << 10;

    @TempDir
    Path data;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final Map<MemberId, EchoNode> nodes = new TreeMap<>();
    private final Map<MemberId, ReplicatedGroup> groups = new TreeMap<>();

    @AfterEach
    void closeAll() {
        nodes.values().forEach(EchoNode::close);
    }

    @Test
    void aMemberFarBehindTheCacheCatchesUpFromTheLeadersJournal() throws Exception {
        ReplicatedGroup c1 = startAll();
        add(c1, 20);
        MemberId behind = MEMBERS.get(2);
        nodes.remove(behind).close();
        groups.remove(behind);

        add(c1, 3_000); // about 150 KiB of entries: the missing ones are long evicted at the leader

        ReplicatedGroup restarted = start(behind);
        restarted.whenQuorum().get(30, TimeUnit.SECONDS);
        // A linearizable read waits until the member has applied everything the leader committed.
        assertEquals(3_020, Counter.decode(restarted.read(new byte[0]).get(60, TimeUnit.SECONDS)));

        long readBack = 0;
        for (MemberId member : MEMBERS) {
            readBack += readBack(member);
        }
        // With c3 down, every commit needed both others durable, and each evicts in the pass that learns it: all but
        // the last cacheful of what c3 missed had to come from a journal.
        assertTrue(readBack >= 3_000 - CACHE_BYTES / 40, "the missing entries came from disk: " + readBack);
    }

    @Test
    void aRestartedMemberAppliesItsLogAsAStreamFromItsJournal() throws Exception {
        ReplicatedGroup c1 = startAll();
        add(c1, 2_000);
        MemberId restarting = MEMBERS.get(1);
        long readBefore = readBack(restarting);
        nodes.remove(restarting).close();

        ReplicatedGroup restarted = start(restarting); // no snapshot: the whole log is applied again
        restarted.whenQuorum().get(30, TimeUnit.SECONDS);
        assertEquals(2_000, Counter.decode(restarted.read(new byte[0]).get(60, TimeUnit.SECONDS)));
        // Recovery kept only the newest cacheful in memory: the rest reached the state machine from the disk.
        long readAfterRestart = readBack(restarting) - readBefore;
        assertTrue(readAfterRestart >= 2_000 - CACHE_BYTES / 40, "applied from disk: " + readAfterRestart);
    }

    /** Starts every member; returns the first once it has the quorum. */
    private ReplicatedGroup startAll() throws Exception {
        for (MemberId member : MEMBERS) {
            start(member);
        }
        ReplicatedGroup first = groups.get(MEMBERS.get(0));
        first.whenQuorum().get(30, TimeUnit.SECONDS);
        return first;
    }

    private long readBack(MemberId member) {
        return Math.max(0, metrics.count("echo.log.entries.read.back", "group", GROUP, "member", member.value()));
    }

    private ReplicatedGroup start(MemberId self) throws Exception {
        FileJournal journal =
                FileJournal.open(JournalOptions.builder(data.resolve(self.value()), "log-cache", self.value())
                        .build());
        EchoNode node = EchoNode.builder(self)
                .transport(network.transport(self))
                .journal(journal)
                .metrics(metrics)
                .logCacheBytes(CACHE_BYTES)
                .build()
                .start();
        GroupOptions.Builder options = GroupOptions.builder();
        MEMBERS.forEach(options::voter);
        ReplicatedGroup group = node.join(GROUP, options.build(), new Counter(), new GroupListener() {});
        nodes.put(self, node);
        groups.put(self, group);
        return group;
    }

    private static void add(ReplicatedGroup group, int writes) throws Exception {
        List<CompletableFuture<byte[]>> pending = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            pending.add(group.submit(Counter.encode(1)));
        }
        for (CompletableFuture<byte[]> write : pending) {
            write.get(30, TimeUnit.SECONDS);
        }
    }
}
