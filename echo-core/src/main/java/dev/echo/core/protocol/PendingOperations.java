package dev.echo.core.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Client requests and linearizable reads submitted at this member and not yet answered. A member that is not the
 * leader forwards them and re-forwards them every {@code retryTicks} until it sees the outcome in its own applied
 * log (PROTOCOL.md §6); reads wait for a read index and then for the apply point to pass it (§9). Bounded by
 * {@code maxPending}. Not thread-safe.
 */
final class PendingOperations {
    private final int maxPending;
    private final int retryTicks;
    private final TreeMap<RequestKey, PendingRequest> requests = new TreeMap<>();
    private final TreeMap<Long, PendingRead> reads = new TreeMap<>();
    /**
     * The reads given a read index, lowest index first, so that the end of every step costs the reads it answers, not
     * every read pending: each read arrives as a step of its own, so a scan would make n reads in flight cost n²
     * (docs/benchmarks.md, "Linearizable reads in bulk"). A read whose index was raised keeps its older confirmation
     * here until it comes up, then it is skipped.
     */
    private final PriorityQueue<Confirmation> confirmations = new PriorityQueue<>();

    PendingOperations(int maxPending, int retryTicks) {
        this.maxPending = maxPending;
        this.retryTicks = retryTicks;
    }

    /** Identity of a request: a session open is (clientId, 0). */
    record RequestKey(long clientId, long sequence) implements Comparable<RequestKey> {
        @Override
        public int compareTo(RequestKey o) {
            int c = Long.compare(clientId, o.clientId);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }

        static RequestKey of(Entry.Payload payload) {
            if (payload instanceof Entry.Command command) {
                return new RequestKey(command.clientId(), command.sequence());
            }
            if (payload instanceof Entry.OpenSession open) {
                return new RequestKey(open.clientId(), 0);
            }
            throw new IllegalArgumentException("not a client payload: " + payload);
        }
    }

    /** A request waiting for its outcome. */
    static final class PendingRequest {
        final Entry.Payload payload;
        int ticksToRetry;
        /** Where the leader (this member) appended it, so a retry does not append it twice; 0 if not appended. */
        long appendedIndex;

        long appendedTerm;

        PendingRequest(Entry.Payload payload, int ticksToRetry) {
            this.payload = payload;
            this.ticksToRetry = ticksToRetry;
        }
    }

    /** A linearizable read waiting for its read index, then for the apply point. */
    static final class PendingRead {
        final long readId;
        final byte[] query;
        int ticksToRetry;
        /** -1 until the leader confirmed a read index; set through {@link #confirmRead}. */
        private long readIndex = -1;

        PendingRead(long readId, byte[] query, int ticksToRetry) {
            this.readId = readId;
            this.query = query;
            this.ticksToRetry = ticksToRetry;
        }
    }

    /** {@code read} was given {@code readIndex}; current while the read is pending with that index. */
    private record Confirmation(long readIndex, PendingRead read) implements Comparable<Confirmation> {
        @Override
        public int compareTo(Confirmation other) {
            return Long.compare(readIndex, other.readIndex);
        }

        boolean isCurrent(TreeMap<Long, PendingRead> reads) {
            return read.readIndex == readIndex && reads.get(read.readId) == read;
        }
    }

    boolean isFull() {
        return requests.size() + reads.size() >= maxPending;
    }

    PendingRequest request(RequestKey key) {
        return requests.get(key);
    }

    PendingRequest addRequest(Entry.Payload payload) {
        PendingRequest request = new PendingRequest(payload, retryTicks);
        requests.put(RequestKey.of(payload), request);
        return request;
    }

    /**
     * Removes and returns the request ({@code clientId}, {@code sequence}) waiting here, or null. Every replica asks
     * for every command it applies, and a follower without clients of its own has none: it builds no key then.
     */
    PendingRequest completeRequest(long clientId, long sequence) {
        return requests.isEmpty() ? null : requests.remove(new RequestKey(clientId, sequence));
    }

    Collection<PendingRequest> requests() {
        return requests.values();
    }

    boolean hasRead(long readId) {
        return reads.containsKey(readId);
    }

    PendingRead addRead(long readId, byte[] query) {
        PendingRead read = new PendingRead(readId, query, retryTicks);
        reads.put(readId, read);
        return read;
    }

    PendingRead read(long readId) {
        return reads.get(readId);
    }

    Collection<PendingRead> reads() {
        return reads.values();
    }

    /**
     * Gives {@code read} a confirmed read index (§9). Confirmations can repeat, since reads are retried; the highest
     * index is kept, as any confirmed index is safe and a lower one never lowers what the read waits for.
     */
    void confirmRead(PendingRead read, long readIndex) {
        if (readIndex > read.readIndex) {
            read.readIndex = readIndex;
            confirmations.add(new Confirmation(readIndex, read));
        }
    }

    /** Removes and returns, in id order, the reads whose index is confirmed and applied. */
    List<PendingRead> takeReadyReads(long lastApplied) {
        if (confirmations.isEmpty() || confirmations.peek().readIndex() > lastApplied) {
            return List.of(); // every step asks: most have nothing to answer
        }
        List<PendingRead> ready = new ArrayList<>();
        while (!confirmations.isEmpty() && confirmations.peek().readIndex() <= lastApplied) {
            Confirmation confirmation = confirmations.poll();
            if (confirmation.isCurrent(reads)) {
                reads.remove(confirmation.read().readId);
                ready.add(confirmation.read());
            }
        }
        ready.sort(Comparator.comparingLong(read -> read.readId));
        return ready;
    }

    /** Counts one tick down on every request; returns those due for a retry (their timers restarted). */
    List<PendingRequest> requestsDueForRetry() {
        List<PendingRequest> due = new ArrayList<>();
        for (PendingRequest request : requests.values()) {
            if (--request.ticksToRetry <= 0) {
                request.ticksToRetry = retryTicks;
                due.add(request);
            }
        }
        return due;
    }

    /** Counts one tick down on every read still without a read index; returns those due for a retry. */
    List<PendingRead> readsDueForRetry() {
        List<PendingRead> due = new ArrayList<>();
        for (PendingRead read : reads.values()) {
            if (read.readIndex < 0 && --read.ticksToRetry <= 0) {
                read.ticksToRetry = retryTicks;
                due.add(read);
            }
        }
        return due;
    }
}
