package dev.echo.journal;

import static dev.echo.journal.Journals.command;
import static dev.echo.journal.Journals.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.LogOutline;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.protocol.Voter;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.SnapshotStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The journal's read API (issue 22): whatever was appended and forced reads back identically, over any range and byte
 * budget, across segment rolls and reuse, truncations, compactions and a reopen, with two groups' records
 * interleaved in the same segments.
 */
class JournalReadProperties {
    private static final int GROUPS = 2;

    @Property(tries = 12)
    void whatWasForcedReadsBackIdentically(@ForAll long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Path directory = Journals.temporaryDirectory();
        try {
            List<List<Entry>> logs = new ArrayList<>();
            long[] bases = new long[GROUPS];
            try (FileJournal journal = FileJournal.open(
                    Journals.options(directory).preallocate(true).build())) {
                List<GroupJournal> groups = new ArrayList<>();
                List<RecordingListener> listeners = new ArrayList<>();
                long[] tickets = new long[GROUPS];
                for (int g = 0; g < GROUPS; g++) {
                    listeners.add(new RecordingListener());
                    groups.add(journal.openGroup(group("g" + g), listeners.get(g)));
                    logs.add(new ArrayList<>());
                }
                for (int round = 0; round < 60; round++) {
                    int g = random.nextInt(GROUPS);
                    GroupJournal group = groups.get(g);
                    List<Entry> log = logs.get(g);
                    long last = bases[g] + log.size();
                    int op = random.nextInt(10);
                    if (op < 7 || log.isEmpty()) {
                        long from = op == 0 && !log.isEmpty() ? last - random.nextInt(log.size()) : last + 1;
                        log.subList((int) (from - bases[g] - 1), log.size()).clear(); // a truncation, then appends
                        List<Entry> batch = new ArrayList<>();
                        for (int i = 0; i < 1 + random.nextInt(40); i++) {
                            batch.add(
                                    random.nextInt(15) == 0
                                            ? new Entry(
                                                    from + i,
                                                    1 + round,
                                                    new Entry.ConfigurationChange(
                                                            Configuration.ofVoters(List.of(Voter.of("n" + i, 1)))))
                                            : command(
                                                    from + i,
                                                    1 + round,
                                                    "e" + (from + i) + "x".repeat(random.nextInt(300))));
                        }
                        group.persist(new Output.Persist(++tickets[g], Optional.empty(), from, batch));
                        log.addAll(batch);
                    } else {
                        long to = bases[g] + 1 + random.nextInt(log.size());
                        SnapshotMeta meta = new SnapshotMeta(
                                to,
                                log.get((int) (to - bases[g] - 1)).term(),
                                Configuration.ofVoters(List.of(Voter.of("n1", 1))),
                                to / 2);
                        try (SnapshotStore.Writer writer = group.snapshots().create(meta)) {
                            writer.commit();
                        }
                        group.compact(meta, ++tickets[g]);
                        log.subList(0, (int) (to - bases[g])).clear();
                        bases[g] = to;
                    }
                    listeners.get(g).await(tickets[g]);
                    checkReads(group, log, bases[g], random);
                }
            }
            try (FileJournal journal =
                    FileJournal.open(Journals.options(directory).build())) {
                for (int g = 0; g < GROUPS; g++) {
                    GroupJournal group = journal.openGroup(group("g" + g), new RecordingListener());
                    assertEquals(Optional.empty(), group.recovered().fault());
                    assertEquals(bases[g], group.recovered().snapshotIndex());
                    checkOutline(group.recovered().outline().orElseThrow(), logs.get(g), bases[g]);
                    checkReads(group, logs.get(g), bases[g], random);
                }
            }
        } finally {
            Journals.deleteRecursively(directory);
        }
    }

    /** The outline recovery built: every entry's term from its runs, and exactly the configuration entries. */
    private static void checkOutline(LogOutline outline, List<Entry> log, long base) {
        assertEquals(base + log.size(), outline.lastIndex());
        List<LogOutline.TermStart> expected = new ArrayList<>();
        for (Entry entry : log) {
            if (expected.isEmpty() || expected.get(expected.size() - 1).term() != entry.term()) {
                expected.add(new LogOutline.TermStart(entry.index(), entry.term()));
            }
        }
        assertEquals(expected, outline.termStarts());
        assertEquals(
                log.stream()
                        .filter(entry -> entry.payload() instanceof Entry.ConfigurationChange)
                        .toList(),
                outline.configurations());
    }

    /** The whole log, then a few random ranges under random byte budgets. */
    private static void checkReads(GroupJournal group, List<Entry> log, long base, SplittableRandom random)
            throws Exception {
        assertEquals(log, GroupReads.all(group));
        for (int i = 0; i < 5 && !log.isEmpty(); i++) {
            long from = base + 1 + random.nextInt(log.size());
            long to = from + 1 + random.nextInt((int) (base + log.size() - from + 1));
            long budget = 1 + random.nextInt(4_000);
            List<Entry> read = group.read(from, to, budget);
            assertFalse(read.isEmpty(), "at least one entry");
            assertEquals(log.subList((int) (from - base - 1), (int) (from - base - 1) + read.size()), read);
            long bytes = 0;
            for (int k = 0; k < read.size() - 1; k++) {
                bytes += read.get(k).sizeBytes();
            }
            assertTrue(read.size() == to - from || bytes < budget + 4_000, "stopped near the budget");
        }
    }
}
