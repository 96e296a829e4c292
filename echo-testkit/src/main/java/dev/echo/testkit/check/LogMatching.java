package dev.echo.testkit.check;

import dev.echo.core.protocol.Output;
import java.util.HashMap;
import java.util.Map;

/**
 * PROTOCOL.md §11.4: if two logs hold an entry with the same index and term, the logs are identical up to it.
 * Every (index, term) ever seen is remembered with its prefix hash; a different prefix under the same key breaks
 * the rule.
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class LogMatching implements Invariant {
    private final Map<IndexTerm, Long> prefixByIndexAndTerm = new HashMap<>();

    private record IndexTerm(long index, long term) {}

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        if (step.after().lastIndex() == step.before().lastIndex() && !logWritten(step)) {
            return;
        }
        var core = step.node().core().orElseThrow();
        LogMirror mirror = cluster.mirror(step.node().index());
        long from = Math.max(core.log().firstIndex(), Math.min(step.before().lastIndex(), firstWritten(step)));
        for (long i = from; i <= mirror.lastIndex(); i++) {
            IndexTerm key = new IndexTerm(i, core.log().termAt(i));
            Long existing = prefixByIndexAndTerm.putIfAbsent(key, mirror.prefixHash(i));
            if (existing != null && existing.longValue() != mirror.prefixHash(i)) {
                throw new InvariantViolation(
                        "§11.4 log matching",
                        step.node().id() + " holds (" + i + ", term "
                                + core.log().termAt(i) + ") with a prefix another log holds differently");
            }
        }
    }

    private static boolean logWritten(StepRecord step) {
        return firstWritten(step) != Long.MAX_VALUE;
    }

    private static long firstWritten(StepRecord step) {
        long first = Long.MAX_VALUE;
        for (var output : step.outputs()) {
            if (output instanceof Output.Persist persist && !persist.entries().isEmpty()) {
                first = Math.min(first, persist.firstIndex());
            }
        }
        return first;
    }
}
