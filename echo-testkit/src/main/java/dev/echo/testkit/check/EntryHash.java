package dev.echo.testkit.check;

import dev.echo.core.protocol.Entry;
import java.util.Arrays;

/**
 * Content hashes of log entries and of log prefixes (a hash chain), so logs compare in O(1) per index.
 *
 * <p>Pure functions: thread-safe.
 */
public final class EntryHash {
    private EntryHash() {}

    /** Hash of one entry: index, term and payload. */
    public static long of(Entry entry) {
        long h = mix(entry.index() * 31 + entry.term());
        Entry.Payload payload = entry.payload();
        if (payload instanceof Entry.Command command) {
            h = mix(h ^ command.clientId());
            h = mix(h ^ command.sequence());
            h = mix(h ^ command.ackedSequence());
            h = mix(h ^ Arrays.hashCode(command.command()));
        } else if (payload instanceof Entry.OpenSession open) {
            h = mix(h ^ open.clientId() ^ 0x5E55L);
        } else {
            h = mix(h ^ payload.hashCode());
        }
        return h;
    }

    /** Hash of the prefix ending with {@code entry}, given the hash of the prefix before it. */
    public static long chain(long previousPrefix, Entry entry) {
        return mix(previousPrefix * 0x9E3779B97F4A7C15L ^ of(entry));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
