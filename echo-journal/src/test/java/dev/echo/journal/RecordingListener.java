package dev.echo.journal;

import dev.echo.core.storage.PersistListener;
import dev.echo.core.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Collects durability reports and lets a test wait for a ticket (blocking is fine in journal tests: real I/O). */
final class RecordingListener implements PersistListener {
    final List<Long> reported = new ArrayList<>();
    StorageException failure;
    /** "full" and "available" reports, in order. */
    final List<String> diskReports = new ArrayList<>();

    private long highest = Long.MIN_VALUE;

    @Override
    public synchronized void persisted(long ticket) {
        if (ticket <= highest) {
            throw new AssertionError("ticket " + ticket + " reported after " + highest);
        }
        highest = ticket;
        reported.add(ticket);
        notifyAll();
    }

    @Override
    public synchronized void failed(StorageException cause) {
        failure = cause;
        notifyAll();
    }

    @Override
    public synchronized void storageFull(StorageException cause) {
        diskReports.add("full " + cause.reason());
        notifyAll();
    }

    @Override
    public synchronized void storageAvailable() {
        diskReports.add("available");
        notifyAll();
    }

    /** The tickets reported so far, copied under the lock: the writer may be adding one meanwhile. */
    synchronized List<Long> reportedSoFar() {
        return List.copyOf(reported);
    }

    /** Waits until {@code count} disk reports arrived; returns them. */
    synchronized List<String> awaitDiskReports(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (diskReports.size() < count && failure == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("disk reports so far: " + diskReports);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(diskReports);
    }

    /** Waits until {@code ticket} is durable; fails the test if the journal fails or 10 s pass. */
    synchronized void await(long ticket) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (highest < ticket && failure == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("ticket " + ticket + " not durable; highest " + highest);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (failure != null && highest < ticket) {
            throw new AssertionError("journal failed before ticket " + ticket, failure);
        }
    }

    /** Waits until the journal reports a failure, and returns it. */
    synchronized StorageException awaitFailure() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (failure == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no failure reported");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return failure;
    }

    synchronized long highest() {
        return highest;
    }
}
