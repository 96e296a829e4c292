package dev.echo.core.protocol;

import java.util.List;
import java.util.Optional;

/**
 * The durable log a member recovered, after its snapshot: read once, in order, while the member is built, so that a
 * long log is streamed through rather than held whole in memory (docs/architecture.md, "Recovery"). The member keeps
 * the terms and configurations of every entry and the bodies of the newest ones only, up to {@link #cacheBytes()};
 * the rest is read back from the journal when it is needed.
 *
 * <p>Threading: read only by the thread that builds the member; {@link #read} may block on disk.
 */
public interface RecoveredLog {
    /** The index of the last entry; below the log's first index when it holds none. */
    long lastIndex();

    /** The most bytes of entry bodies to keep in memory; {@code Long.MAX_VALUE} keeps every one. */
    long cacheBytes();

    /**
     * The next entries, consecutive from {@code from}: at least one while {@code from <= lastIndex()}.
     *
     * @throws RuntimeException of the runtime's choosing if the journal cannot read them; the member is not built
     */
    List<Entry> read(long from);

    /**
     * The log's terms and configurations, when the journal recovered them: the member then reads no entry while it is
     * built, and {@link #read} is not called. Empty by default: the entries are streamed through.
     */
    default Optional<LogOutline> outline() {
        return Optional.empty();
    }

    /** A log held in memory already, all of which is kept. */
    static RecoveredLog of(List<Entry> entries) {
        List<Entry> frozen = List.copyOf(entries);
        long last = frozen.isEmpty() ? 0 : frozen.get(frozen.size() - 1).index();
        return new RecoveredLog() {
            @Override
            public long lastIndex() {
                return last;
            }

            @Override
            public long cacheBytes() {
                return Long.MAX_VALUE;
            }

            @Override
            public List<Entry> read(long from) {
                if (frozen.isEmpty() || from > last) {
                    return List.of();
                }
                return frozen.subList((int) (from - frozen.get(0).index()), frozen.size());
            }
        };
    }
}
