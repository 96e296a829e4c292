package dev.echo.testkit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's life shows in a flight recording (docs/operations.md, "Flight recordings"): a one-member node on a real
 * journal elects itself and commits a write while a recording runs, and the recording holds the election, the leader
 * change and the forced journal batches, each naming its group and member.
 */
class FlightRecorderEventsTest {
    /** A name no other test uses: events of nodes other tests left running in this JVM are not counted. */
    private static final String GROUP = "flight-recorder-test";
    /** The member, and its journal's node id, which the fsync events carry. */
    private static final String NODE = "flight-recorder-node";

    private static final List<String> EVENTS =
            List.of("dev.echo.ElectionWon", "dev.echo.LeaderChanged", "dev.echo.ViewChanged", "dev.echo.FsyncBatch");

    @TempDir
    Path directory;

    private final AtomicLong clock = new AtomicLong();

    @Test
    void anElectionALeaderAndForcedBatchesAreRecorded() throws Exception {
        MemberId solo = MemberId.of(NODE);
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            EVENTS.forEach(name -> recording.enable(name).withoutThreshold());
            recording.start();
            FileJournal journal = FileJournal.open(JournalOptions.builder(directory, "flight", NODE)
                    .invoker(true)
                    .build());
            try (EchoNode node = EchoNode.builder(solo)
                    .transport(new InMemoryNetwork().transport(solo))
                    .journal(journal)
                    .invoker(true)
                    .clock(clock::get)
                    .build()
                    .start()) {
                ReplicatedGroup group = node.join(
                        GROUP, GroupOptions.builder().voter(solo).build(), new Counter(), new GroupListener() {});
                drive(node, journal, group.whenQuorum());
                CompletableFuture<byte[]> written = group.submit(Counter.encode(3));
                drive(node, journal, written);
                assertEquals(3, Counter.decode(written.get()));
            }
            recording.stop();
            Path file = directory.resolve("echo.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        }

        RecordedEvent won = only(events, "dev.echo.ElectionWon");
        assertEquals(GROUP, won.getString("group"));
        assertEquals(NODE, won.getString("member"));
        assertTrue(won.getLong("term") >= 1, "a term is at least 1 once elected");
        RecordedEvent leader = only(events, "dev.echo.LeaderChanged");
        assertEquals(NODE, leader.getString("leader"));
        assertEquals("", leader.getString("previousLeader"));
        List<RecordedEvent> batches = all(events, "dev.echo.FsyncBatch");
        assertFalse(batches.isEmpty(), "the write was forced");
        assertTrue(batches.stream().anyMatch(batch -> batch.getLong("bytes") > 0 && batch.getInt("groups") == 1));
    }

    /** Runs the node and its journal (both in invoker mode) on the test's clock until {@code until} is done. */
    private void drive(EchoNode node, FileJournal journal, CompletableFuture<?> until) {
        long deadline = clock.get() + TimeUnit.SECONDS.toNanos(10);
        while (!until.isDone()) {
            assertTrue(clock.get() < deadline, "no progress in 10 simulated seconds");
            boolean worked = node.runPending();
            worked |= journal.runPending();
            if (!worked) {
                clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    /** This test's events named {@code name}: of its group, or, for the journal's, of its node. */
    private static List<RecordedEvent> all(List<RecordedEvent> events, String name) {
        return events.stream()
                .filter(event -> event.getEventType().getName().equals(name))
                .filter(event -> event.hasField("group")
                        ? GROUP.equals(event.getString("group"))
                        : NODE.equals(event.getString("node")))
                .toList();
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> found = all(events, name);
        assertEquals(1, found.size(), name + ": " + found);
        return found.get(0);
    }
}
