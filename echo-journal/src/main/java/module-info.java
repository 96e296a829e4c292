/**
 * Echo's file journal: the checksummed, group-committed segment log behind the core's storage SPI
 * (docs/architecture.md, "The journal"). Exports {@code dev.echo.journal} ({@code FileJournal}, {@code JournalOptions}, {@code SnapshotFile}).
 */
module dev.echo.journal {
    requires transitive dev.echo.core;
    requires jdk.jfr; // the flight-recorder event of each forced batch: part of the JDK

    exports dev.echo.journal;
    exports dev.echo.journal.rules to
            dev.echo.testkit; // the journal's mutants, for the simulator alone
}
