package dev.echo.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The compact log index (terms and segments as runs, offsets as distances with anchors and escapes) against a model
 * that keeps a term and a position per entry.
 */
class LogIndexProperties {

    private record Slot(long term, long position) {}

    @Property(tries = 500)
    void answersAsAModelThatKeepsEveryPosition(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LogIndex index = new LogIndex(0, 0);
        List<Slot> model = new ArrayList<>();
        long base = 0;
        long baseTerm = 0;
        long term = 1;
        long segment = 1;
        long offset = 0;
        for (int step = 0; step < 300; step++) {
            int op = random.nextInt(100);
            long last = base + model.size();
            if (op < 70) {
                term += random.nextInt(8) == 0 ? 1 : 0;
                if (random.nextInt(10) == 0) {
                    segment++;
                    offset = 0;
                }
                offset += random.nextInt(20) == 0 ? 70_000 : 8 + random.nextInt(200); // far: an escape
                long position = random.nextInt(25) == 0 ? LogIndex.UNAVAILABLE : LogIndex.pack(segment, offset);
                index.append(last + 1, term, position);
                model.add(new Slot(term, position));
            } else if (op < 85 && last > base) {
                long from = base + 1 + random.nextLong(last - base);
                index.truncateFrom(from);
                model.subList((int) (from - base - 1), model.size()).clear();
            } else if (last > base) {
                long to = base + 1 + random.nextLong(last - base);
                long atTerm = model.get((int) (to - base - 1)).term();
                boolean keep = random.nextBoolean();
                assertEquals(true, index.matches(to, atTerm));
                index.compact(to, atTerm, keep);
                if (keep) {
                    model.subList(0, (int) (to - base)).clear();
                } else {
                    model.clear();
                }
                base = to;
                baseTerm = atTerm;
            }
            check(index, model, base, baseTerm);
        }
    }

    private static void check(LogIndex index, List<Slot> model, long base, long baseTerm) {
        assertEquals(base, index.snapshotIndex());
        assertEquals(base + model.size(), index.lastIndex());
        assertEquals(baseTerm, index.termAt(base));
        long oldest = Long.MAX_VALUE;
        long firstUnavailable = 0;
        for (int i = 0; i < model.size(); i++) {
            long at = base + 1 + i;
            Slot slot = model.get(i);
            assertEquals(slot.term(), index.termAt(at), "term at " + at);
            assertEquals(slot.position(), index.positionAt(at), "position at " + at);
            if (slot.position() == LogIndex.UNAVAILABLE) {
                firstUnavailable = firstUnavailable == 0 ? at : firstUnavailable;
            } else {
                oldest = Math.min(oldest, LogIndex.segmentOf(slot.position()));
            }
        }
        assertEquals(oldest, index.oldestSegment());
        assertEquals(firstUnavailable, index.firstUnavailable());
    }
}
