package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Rejects replayed datagrams, like IPsec's anti-replay window: per sender, the current boot number and a
 * {@value #WIDTH}-datagram window of sequence numbers already seen. A datagram is accepted once; one older than the
 * window, or from an earlier boot of its sender, is rejected. An earlier boot is accepted again only after the
 * current one has been silent for the replay horizon, so a sender whose clock stepped back recovers.
 *
 * <p>Rejection is defence in depth: the protocol tolerates duplicated, delayed and reordered messages anyway, and
 * every message carries a term and incarnation that fence stale senders.
 *
 * <p>Not thread-safe: owned by the UDP channel's event loop. Bounded to {@value #MAX_SENDERS} senders, all of
 * which have authenticated with the cluster key.
 */
final class ReplayWindow {
    static final int WIDTH = 1024;
    static final int MAX_SENDERS = 4096;

    private final long horizonNanos;
    private final Map<MemberId, Sender> senders = new HashMap<>();

    ReplayWindow(long horizonNanos) {
        this.horizonNanos = horizonNanos;
    }

    /** Whether to accept datagram {@code sequence} of {@code boot} from {@code from}, received at {@code nowNanos}. */
    boolean accept(MemberId from, long boot, long sequence, long nowNanos) {
        Sender sender = senders.get(from);
        if (sender == null || boot > sender.boot || (boot < sender.boot && nowNanos - sender.heard > horizonNanos)) {
            if (sender == null && senders.size() >= MAX_SENDERS) {
                senders.clear();
            }
            sender = new Sender(boot, sequence);
            senders.put(from, sender);
        } else if (boot < sender.boot || !sender.mark(sequence)) {
            return false;
        }
        sender.heard = nowNanos;
        return true;
    }

    /** One sender's boot and window of seen sequence numbers. */
    private static final class Sender {
        private final long boot;
        private final long[] seen = new long[WIDTH / 64];
        private long highest;
        private long heard;

        Sender(long boot, long first) {
            this.boot = boot;
            this.highest = first;
            set(first);
        }

        /** Marks {@code sequence} seen; false if it was seen already or is older than the window. */
        boolean mark(long sequence) {
            if (sequence > highest) {
                long advance = sequence - highest;
                if (advance >= WIDTH) {
                    Arrays.fill(seen, 0L);
                } else {
                    for (long s = highest + 1; s < sequence; s++) {
                        clear(s);
                    }
                }
                highest = sequence;
                set(sequence);
                return true;
            }
            if (highest - sequence >= WIDTH || isSet(sequence)) {
                return false;
            }
            set(sequence);
            return true;
        }

        private void set(long sequence) {
            int bit = (int) Math.floorMod(sequence, (long) WIDTH);
            seen[bit >>> 6] |= 1L << (bit & 63);
        }

        private void clear(long sequence) {
            int bit = (int) Math.floorMod(sequence, (long) WIDTH);
            seen[bit >>> 6] &= ~(1L << (bit & 63));
        }

        private boolean isSet(long sequence) {
            int bit = (int) Math.floorMod(sequence, (long) WIDTH);
            return (seen[bit >>> 6] & (1L << (bit & 63))) != 0;
        }
    }
}
