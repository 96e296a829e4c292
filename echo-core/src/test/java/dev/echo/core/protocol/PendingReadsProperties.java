package dev.echo.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The pending reads' queue of confirmations against the plain rule it replaced: at the end of a step, every read with a
 * confirmed read index at or below the apply point is answered, in id order. Reads are confirmed more than once (a
 * retried read), sometimes with a lower index than they have, and ids are used again once answered.
 */
class PendingReadsProperties {
    @Property(tries = 300)
    void answersWhatAScanOfEveryReadAnswers(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        PendingOperations pending = new PendingOperations(1_000_000, 10);
        TreeMap<Long, Long> model = new TreeMap<>(); // read id -> read index, -1 while unconfirmed
        long lastApplied = 0;
        for (int step = 0; step < 3_000; step++) {
            int choice = random.nextInt(10);
            if (choice < 4) {
                long readId = random.nextLong(200); // small: ids come back once their read was answered
                if (!pending.hasRead(readId)) {
                    pending.addRead(readId, new byte[0]);
                    model.put(readId, -1L);
                }
            } else if (choice < 8 && !model.isEmpty()) {
                Long above = model.ceilingKey(random.nextLong(200));
                long readId = above != null ? above : model.firstKey();
                long readIndex = lastApplied + random.nextLong(-5, 30);
                pending.confirmRead(pending.read(readId), Math.max(0, readIndex));
                model.merge(readId, Math.max(0, readIndex), Math::max);
            } else {
                lastApplied += random.nextInt(12);
                List<Long> expected = new ArrayList<>();
                for (Map.Entry<Long, Long> read : model.entrySet()) {
                    if (read.getValue() >= 0 && read.getValue() <= lastApplied) {
                        expected.add(read.getKey());
                    }
                }
                expected.forEach(model::remove);
                List<Long> taken = new ArrayList<>();
                pending.takeReadyReads(lastApplied).forEach(read -> taken.add(read.readId));
                assertEquals(expected, taken, "ready reads at step " + step + ", apply point " + lastApplied);
            }
            assertEquals(model.size(), pending.reads().size());
        }
    }
}
