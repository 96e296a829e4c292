package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The log with a bounded cache (docs/architecture.md, "The log cache") against a model that keeps every entry: terms,
 * matches and conflict hints never depend on what was evicted; what is in memory is the model's entry; nothing not
 * yet durable is ever evicted; entries read back are kept only while the log still holds them.
 */
class ReplicationLogProperties {
    private static final Configuration BOOTSTRAP =
            new Configuration(List.of(new Voter(MemberId.of("a"), 1)), new TreeSet<>());

    @Property(tries = 300)
    void agreesWithAModelThatKeepsEverything(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ReplicationLog log = new ReplicationLog(BOOTSTRAP, List.of());
        List<Entry> model = new ArrayList<>(); // every entry after the base, cached or not
        long base = 0;
        long baseTerm = 0;
        long baseConfigurationIndex = 0; // the latest configuration entry compacted away: still the view's epoch
        long durable = 0;
        for (int step = 0; step < 400; step++) {
            long last = base + model.size();
            int op = random.nextInt(100);
            if (op < 55) {
                long previous =
                        model.isEmpty() ? baseTerm : model.get(model.size() - 1).term();
                long term = Math.max(1, previous + (random.nextInt(6) == 0 ? 1 : 0));
                Entry entry = random.nextInt(12) == 0
                        ? new Entry(last + 1, term, new Entry.ConfigurationChange(BOOTSTRAP))
                        : new Entry(last + 1, term, new Entry.Command(1, last + 1, 0, new byte[random.nextInt(40)]));
                log.append(entry);
                model.add(entry);
            } else if (op < 65 && last > base) {
                long from = base + 1 + random.nextLong(last - base);
                log.truncateFrom(from);
                model.subList((int) (from - base - 1), model.size()).clear();
                durable = Math.min(durable, from - 1);
            } else if (op < 70 && last > base) {
                long to = base + 1 + random.nextLong(last - base);
                long term = model.get((int) (to - base - 1)).term();
                log.compactTo(to, term);
                baseConfigurationIndex = latestConfigurationIndex(model.subList(0, (int) (to - base)))
                        .orElse(baseConfigurationIndex);
                model.subList(0, (int) (to - base)).clear();
                base = to;
                baseTerm = term;
            } else if (op < 85) {
                durable = Math.max(durable, base + random.nextLong(model.size() + 1));
                long budget = random.nextInt(600);
                long cachedFrom = log.cachedFrom();
                long held = log.evictDurable(budget, durable);
                assertTrue(held <= budget || log.cachedFrom() > durable || log.cachedFrom() > last, "stopped early");
                assertTrue(log.cachedFrom() <= Math.max(cachedFrom, durable + 1), "evicted past the durable index");
            } else if (last > base) {
                long from = base + 1 + random.nextLong(last - base);
                int count = 1 + random.nextInt(20);
                List<Entry> read = new ArrayList<>(
                        model.subList((int) (from - base - 1), (int) Math.min(model.size(), from - base - 1 + count)));
                boolean raced = random.nextInt(4) == 0; // read before a truncation: the last entry's term is stale
                if (raced) {
                    Entry stale = read.get(read.size() - 1);
                    read.set(read.size() - 1, new Entry(stale.index(), stale.term() + 1, stale.payload()));
                }
                assertEquals(raced ? read.size() - 1 : read.size(), log.readBack(from, read));
            }
            check(log, model, base, baseTerm);
            assertEquals(latestConfigurationIndex(model).orElse(baseConfigurationIndex), log.configurationIndex());
            assertEquals(baseConfigurationIndex, log.base().configurationIndex());
        }
        restartFromOutline(log, model, base, baseTerm);
    }

    /** A log rebuilt from its outline alone (a restart) holds the same terms and configurations, no entry body. */
    private static void restartFromOutline(ReplicationLog log, List<Entry> model, long base, long baseTerm) {
        List<LogOutline.TermStart> starts = new ArrayList<>();
        for (Entry entry : model) {
            if (starts.isEmpty() || starts.get(starts.size() - 1).term() != entry.term()) {
                starts.add(new LogOutline.TermStart(entry.index(), entry.term()));
            }
        }
        List<Entry> configurations = model.stream()
                .filter(entry -> entry.payload() instanceof Entry.ConfigurationChange)
                .toList();
        long last = base + model.size();
        LogOutline outline = new LogOutline(last, starts, configurations);
        RecoveredLog outlined = new RecoveredLog() {
            @Override
            public long lastIndex() {
                return last;
            }

            @Override
            public long cacheBytes() {
                return 0;
            }

            @Override
            public List<Entry> read(long from) {
                throw new AssertionError("a log with an outline reads no entry");
            }

            @Override
            public Optional<LogOutline> outline() {
                return Optional.of(outline);
            }
        };
        HardState hardState = new HardState(log.lastTerm() + 1, Optional.empty());
        Optional<RecoveredState.Snapshot> snapshot =
                base == 0 ? Optional.empty() : Optional.of(new RecoveredState.Snapshot(log.base(), new byte[0]));
        ReplicationLog restarted =
                ReplicationLog.recovered(BOOTSTRAP, new RecoveredState(hardState, snapshot, outlined));
        assertEquals(base, restarted.snapshotIndex());
        assertEquals(log.lastIndex(), restarted.lastIndex());
        for (long i = base + 1; i <= log.lastIndex(); i++) {
            assertEquals(log.termAt(i), restarted.termAt(i), "term at " + i);
            assertNull(restarted.inMemory(i), "no body in memory");
        }
        assertEquals(log.configurationEntries(), restarted.configurationEntries());
        assertEquals(log.configurationIndex(), restarted.configurationIndex());
    }

    private static void check(ReplicationLog log, List<Entry> model, long base, long baseTerm) {
        long last = base + model.size();
        assertEquals(last, log.lastIndex());
        assertEquals(base, log.snapshotIndex());
        assertEquals(baseTerm, log.termAt(base));
        long cachedBytes = 0;
        for (long i = base + 1; i <= last; i++) {
            Entry expected = model.get((int) (i - base - 1));
            assertEquals(expected.term(), log.termAt(i), "term at " + i);
            assertTrue(log.matches(i, expected.term()));
            Entry held = log.inMemory(i);
            if (i >= log.cachedFrom()) {
                assertSame(expected, held, "cached entry " + i);
                cachedBytes += ReplicationLog.heapBytes(expected);
            } else if (held != null) {
                assertEquals(expected, held, "read-back entry " + i);
            }
            assertEquals(
                    naiveFirstIndexOfTerm(model, base, expected.term(), i + 1),
                    log.firstIndexOfTerm(expected.term(), i + 1));
        }
        assertEquals(cachedBytes, log.cachedBytes());
        if (last > base) {
            long lastTerm = model.get(model.size() - 1).term();
            for (long term = 0; term <= lastTerm + 1; term++) {
                assertEquals(naiveLastIndexOfTerm(model, base, term), log.lastIndexOfTerm(term), "term " + term);
            }
            long from = base + 1;
            List<Entry> slice = log.slice(from, 10, 200);
            for (int k = 0; k < slice.size(); k++) {
                assertEquals(model.get((int) (from + k - base - 1)), slice.get(k));
            }
            if (log.inMemory(from) == null) {
                assertTrue(slice.isEmpty(), "a slice starting at an evicted entry is empty");
            }
        } else {
            assertNull(log.inMemory(base + 1));
        }
    }

    private static java.util.OptionalLong latestConfigurationIndex(List<Entry> entries) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).payload() instanceof Entry.ConfigurationChange) {
                return java.util.OptionalLong.of(entries.get(i).index());
            }
        }
        return java.util.OptionalLong.empty();
    }

    private static long naiveFirstIndexOfTerm(List<Entry> model, long base, long term, long upTo) {
        long index = upTo;
        while (index > base + 1 && model.get((int) (index - 1 - base - 1)).term() == term) {
            index--;
        }
        return index;
    }

    private static long naiveLastIndexOfTerm(List<Entry> model, long base, long term) {
        for (int i = model.size() - 1; i >= 0; i--) {
            if (model.get(i).term() == term) {
                return base + 1 + i;
            }
            if (model.get(i).term() < term) {
                return -1;
            }
        }
        return -1;
    }
}
