package dev.echo.journal.rules;

/**
 * The rules of the file journal that the whole-node simulator proves it can see broken, as
 * {@code dev.echo.core.runtime.RuntimeRules} are for the node: {@link #STRICT}, the only rules a journal runs with
 * outside the testkit, keeps every one, and each testkit mutant breaks one. This package is exported to the testkit
 * alone, so no application can choose them.
 *
 * <p>Implementations must be stateless and thread-safe.
 */
public interface JournalRules {
    /** Every rule kept. */
    JournalRules STRICT = new JournalRules() {};

    /**
     * A batch is forced before any of its tickets is reported durable: the core acknowledges what the journal
     * reports, so an unforced report lets a crash lose an acknowledged entry or a vote (PROTOCOL.md §11).
     */
    default boolean forceBeforeReporting() {
        return true;
    }

    /**
     * Recovery takes a record only if its payload passes its checksum: a torn write leaves a valid-looking header in
     * front of bytes that never reached the disk.
     */
    default boolean checkPayloads() {
        return true;
    }
}
