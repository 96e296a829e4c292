package dev.echo.bench;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.SnapshotMeta;
import dev.echo.core.protocol.Voter;
import dev.echo.core.storage.GroupIdentity;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.PersistListener;
import dev.echo.core.storage.SnapshotStore;
import dev.echo.core.storage.StorageException;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable records/s with N appenders each keeping one 128-byte append in flight, driven the way the runtime drives
 * the journal: group loops do not block on a force, they hand it over and react to the report. Here one thread plays
 * every appender's loop: each operation waits for the next durability report and immediately issues that group's
 * next append, so exactly {@code appenders} records are always in flight. Compare with
 * {@link JournalBenchmark#bareWriteForce} (forces/s of a bare write+force) in the same run.
 *
 * <p>Run: {@code bin/echo-bench jmh 'JournalBenchmark'} (both classes match).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class PipelinedJournalBenchmark {
    @Param({"1", "16", "256"})
    int appenders;

    /**
     * 0: logs are never compacted, so the journal only grows (the first published tables). N: every N records an
     * appender stores a small snapshot and compacts its log up to it, as the runtime does after each snapshot; the
     * journal then reuses the segments it frees instead of zero-filling new ones.
     */
    @Param({"0"})
    int compactEvery;

    private Path directory;
    private FileJournal journal;
    private Appender[] groups;
    private final ConcurrentLinkedQueue<Appender> reported = new ConcurrentLinkedQueue<>();
    private volatile Thread driver;
    private volatile boolean driverParked;
    private final byte[] command = new byte[JournalBenchmark.COMMAND_BYTES];

    private static final Configuration ONE_VOTER = Configuration.ofVoters(List.of(Voter.of("n1", 1)));

    private final class Appender implements PersistListener {
        final GroupJournal group;
        long ticket;
        long index;
        /** The ticket of the append in flight, and the last one reported to the driver (once each). */
        volatile long appendTicket;

        long offered;

        Appender(int number) throws StorageException {
            group = journal.openGroup(new GroupIdentity("p-" + number, MemberId.of("n1"), 1), this);
        }

        void append() throws StorageException {
            index++;
            Entry entry = new Entry(index, 1, new Entry.Command(1, index, index - 1, command));
            appendTicket = ++ticket;
            group.persist(new Output.Persist(ticket, Optional.empty(), index, List.of(entry)));
            if (compactEvery > 0 && index % compactEvery == 0) {
                compactTo(index - 1);
            }
        }

        private void compactTo(long upTo) throws StorageException {
            SnapshotMeta meta = new SnapshotMeta(upTo, 1, ONE_VOTER, 0);
            try (SnapshotStore.Writer writer = group.snapshots().create(meta)) {
                writer.stream().write(command);
                writer.commit();
            } catch (IOException e) {
                throw new IllegalStateException("cannot store a snapshot", e);
            }
            group.compact(meta, ++ticket);
        }

        @Override
        public void persisted(long ticket) {
            long inFlight = appendTicket;
            if (ticket < inFlight || offered == inFlight) {
                return; // durable up to an earlier ticket, or this append was already reported
            }
            offered = inFlight;
            reported.offer(this);
            if (driverParked) { // as the runtime's loop threads: a wake-up only for a parked loop
                LockSupport.unpark(driver);
            }
        }

        @Override
        public void failed(StorageException cause) {
            throw new IllegalStateException("journal failed during the benchmark", cause);
        }
    }

    /** Opens a fresh journal and puts one append of every appender in flight. */
    @Setup(Level.Trial)
    public void open() throws IOException, StorageException {
        driver = Thread.currentThread();
        directory = Files.createTempDirectory(JournalBenchmark.benchDirectory(), "echo-journal-pipelined");
        journal = FileJournal.open(
                JournalOptions.builder(directory, "bench", "node-1").build());
        groups = new Appender[appenders];
        for (int i = 0; i < appenders; i++) {
            groups[i] = new Appender(i);
        }
        for (Appender appender : groups) {
            appender.append();
        }
    }

    /** Closes the journal and deletes its files. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        journal.close();
        BenchFiles.deleteRecursively(directory);
    }

    /** One durable record: wait for a report, refill that appender. */
    @Benchmark
    @Threads(1)
    public void durableRecord() throws StorageException {
        Appender done;
        int spins = 0;
        while ((done = reported.poll()) == null) {
            if (spins++ < 10_000) {
                Thread.onSpinWait();
            } else {
                driverParked = true;
                if (reported.isEmpty()) {
                    LockSupport.parkNanos(this, 100_000);
                }
                driverParked = false;
            }
        }
        done.append();
    }
}
