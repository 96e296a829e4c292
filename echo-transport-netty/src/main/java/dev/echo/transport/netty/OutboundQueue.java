package dev.echo.transport.netty;

import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded multi-producer queue of encoded messages waiting for one event loop to write them. Bounded by count and
 * by bytes, so a slow or absent peer costs at most the configured memory; beyond it {@link #offer} refuses and the
 * caller drops the message (the protocol retries).
 *
 * <p>Thread-safe: any thread offers, one event loop polls. Items are reference counted and released on refusal and
 * on {@link #clear}.
 *
 * @param <T> an encoded message: a {@code ByteBuf} or a {@code DatagramPacket}
 */
final class OutboundQueue<T> {
    private final ConcurrentLinkedQueue<Sized<T>> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final int maxCount;
    private final long maxBytes;

    OutboundQueue(int maxCount, long maxBytes) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    /** Queues {@code item} of {@code size} bytes, or releases it and returns false when the queue is full. */
    boolean offer(T item, int size) {
        // Reserve first, so concurrent offers never overshoot either bound.
        if (count.incrementAndGet() > maxCount) {
            count.decrementAndGet();
            ReferenceCountUtil.release(item);
            return false;
        }
        if (bytes.addAndGet(size) > maxBytes) {
            bytes.addAndGet(-size);
            count.decrementAndGet();
            ReferenceCountUtil.release(item);
            return false;
        }
        items.add(new Sized<>(item, size));
        return true;
    }

    /** The oldest item, or {@code null}; the caller owns it. */
    T poll() {
        Sized<T> head = items.poll();
        if (head == null) {
            return null;
        }
        count.decrementAndGet();
        bytes.addAndGet(-head.size());
        return head.item();
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    /** Releases everything queued; returns how many items were discarded. */
    int clear() {
        int discarded = 0;
        for (T item = poll(); item != null; item = poll()) {
            ReferenceCountUtil.release(item);
            discarded++;
        }
        return discarded;
    }

    private record Sized<T>(T item, int size) {}
}
