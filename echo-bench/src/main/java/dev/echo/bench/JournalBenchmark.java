package dev.echo.bench;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.storage.GroupIdentity;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.PersistListener;
import dev.echo.core.storage.StorageException;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Durable journal appends of 128-byte records (header and payload) with 1, 16 and 256 concurrent appenders, each
 * its own group, against a bare {@code FileChannel.write} + {@code force(false)} of 128 bytes on the same disk in the
 * same run. An operation is one append that returns once the journal reports it durable. The directory is
 * {@code -Decho.bench.dir} (default: the JVM's temporary directory); it must be on the disk being measured.
 *
 * <p>Run: {@code bin/echo-bench jmh JournalBenchmark}. JMH runs each method on its own threads; state is per thread
 * (one group per appender) or per benchmark (the shared journal).
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class JournalBenchmark {
    /** Record payload so that header (36) + entry payload (29 + command) = 128 bytes exactly. */
    static final int COMMAND_BYTES = 128 - 36 - 29;

    /** A lone appender spins through a typical force rather than pay a wake-up; many appenders park at once. */
    private static final long SPIN_NANOS_WHEN_ALONE = TimeUnit.MILLISECONDS.toNanos(2);

    /** The journal shared by every appender thread. */
    @State(Scope.Benchmark)
    public static class SharedJournal {
        Path directory;
        FileJournal journal;
        final AtomicInteger groups = new AtomicInteger();

        /** Opens a fresh journal with default (production) options. */
        @Setup(Level.Trial)
        public void open() throws IOException, StorageException {
            directory = Files.createTempDirectory(benchDirectory(), "echo-journal-bench");
            journal = FileJournal.open(
                    JournalOptions.builder(directory, "bench", "node-1").build());
        }

        /** Closes the journal and deletes its files. */
        @TearDown(Level.Trial)
        public void close() throws IOException {
            journal.close();
            BenchFiles.deleteRecursively(directory);
        }
    }

    /** One appender: its own group, waiting for each append to become durable. */
    @State(Scope.Thread)
    public static class Appender implements PersistListener {
        GroupJournal group;
        long ticket;
        volatile long durable;
        volatile Thread waiter;
        final byte[] command = new byte[COMMAND_BYTES];

        long spinNanos;

        /** Opens this thread's group. */
        @Setup(Level.Trial)
        public void open(SharedJournal shared, BenchmarkParams params) throws StorageException {
            spinNanos = params.getThreads() == 1 ? SPIN_NANOS_WHEN_ALONE : 0;
            int number = shared.groups.incrementAndGet();
            group = shared.journal.openGroup(new GroupIdentity("bench-" + number, MemberId.of("n1"), 1), this);
        }

        void appendDurably() throws StorageException {
            long next = ++ticket;
            waiter = Thread.currentThread();
            group.persist(oneRecord(next, command));
            long spinUntil = System.nanoTime() + spinNanos;
            while (durable < next) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }

        @Override
        public void persisted(long reported) {
            durable = reported;
            LockSupport.unpark(waiter);
        }

        @Override
        public void failed(StorageException cause) {
            throw new IllegalStateException("journal failed during the benchmark", cause);
        }
    }

    /** A preallocated file for the bare baseline, one per thread. */
    @State(Scope.Thread)
    public static class BareFile {
        private static final long FILE_BYTES = 64L << 20;
        Path directory;
        FileChannel channel;
        final ByteBuffer record = ByteBuffer.allocateDirect(128);
        long position;

        /** Creates and zero-fills the file, like a journal segment. */
        @Setup(Level.Trial)
        public void open() throws IOException {
            directory = Files.createTempDirectory(benchDirectory(), "echo-bare-bench");
            channel = FileChannel.open(
                    directory.resolve("bare.log"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < FILE_BYTES; at += zeros.capacity()) {
                zeros.clear();
                channel.write(zeros, at);
            }
            channel.force(true);
        }

        /** Closes and deletes the file. */
        @TearDown(Level.Trial)
        public void close() throws IOException {
            channel.close();
            BenchFiles.deleteRecursively(directory);
        }
    }

    /** One appender: append→durable latency and rate of a lone writer. */
    @Benchmark
    @Threads(1)
    public void durableAppend1(SharedJournal shared, Appender appender) throws StorageException {
        appender.appendDurably();
    }

    /** 16 appenders sharing forces. */
    @Benchmark
    @Threads(16)
    public void durableAppend16(SharedJournal shared, Appender appender) throws StorageException {
        appender.appendDurably();
    }

    /** 256 appenders sharing forces: group commit at work. */
    @Benchmark
    @Threads(256)
    public void durableAppend256(SharedJournal shared, Appender appender) throws StorageException {
        appender.appendDurably();
    }

    /** The physical floor: write 128 bytes and force, on the calling thread. */
    @Benchmark
    @Threads(1)
    public void bareWriteForce(BareFile file) throws IOException {
        file.record.clear();
        file.channel.write(file.record, file.position);
        file.position = (file.position + 128) % BareFile.FILE_BYTES;
        file.channel.force(false);
    }

    /** The persist both journal benchmarks issue: entry {@code ticket} of a one-record-per-ticket log. */
    static Output.Persist oneRecord(long ticket, byte[] command) {
        Entry entry = new Entry(ticket, 1, new Entry.Command(1, ticket, ticket - 1, command));
        return new Output.Persist(ticket, Optional.empty(), ticket, List.of(entry));
    }

    static Path benchDirectory() {
        return Path.of(System.getProperty("echo.bench.dir", System.getProperty("java.io.tmpdir")));
    }
}
