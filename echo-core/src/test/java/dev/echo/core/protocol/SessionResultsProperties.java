package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A session's sorted ring of results against a sorted map: mostly ascending sequences, as a session's commands are
 * applied, with some out of order and some repeated, acknowledged from the front, so the ring wraps and grows with
 * elements at every place.
 */
class SessionResultsProperties {
    @Property(tries = 300)
    void holdsWhatASortedMapHolds(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SessionResults ring = new SessionResults();
        TreeMap<Long, Object[]> model = new TreeMap<>();
        long next = 1;
        for (int step = 0; step < 2_000; step++) {
            int choice = random.nextInt(10);
            if (choice < 6) {
                long sequence = random.nextInt(8) == 0 ? Math.max(1, next - 1 - random.nextInt(20)) : next++;
                byte[] result = {(byte) step};
                ring.put(sequence, step, result);
                model.put(sequence, new Object[] {(long) step, result});
            } else if (choice < 9 && !model.isEmpty()) {
                assertEquals(model.firstKey(), ring.firstSequence());
                ring.removeFirst();
                model.pollFirstEntry();
            } else {
                long probe = random.nextLong(next + 2);
                int at = ring.find(probe);
                Object[] expected = model.get(probe);
                assertEquals(expected == null, at < 0, "find " + probe);
                if (expected != null) {
                    assertEquals(probe, ring.sequenceAt(at));
                    assertEquals(expected[0], ring.indexAt(at));
                    assertSame(expected[1], ring.resultAt(at));
                }
            }
            assertEquals(model.size(), ring.size());
            int position = 0;
            for (Map.Entry<Long, Object[]> entry : model.entrySet()) {
                assertEquals(entry.getKey(), ring.sequenceAt(position++), "order at step " + step);
            }
        }
    }
}
