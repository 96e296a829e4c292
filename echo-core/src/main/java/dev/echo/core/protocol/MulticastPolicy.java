package dev.echo.core.protocol;

/**
 * Whether a group offers view-synchronous multicast beside its log (PROTOCOL.md §13), and its flow-control bounds.
 * Every member of a group must agree on {@code enabled}: the leader appends the cuts that install multicast views, and
 * a member without multicast ignores them. Immutable.
 *
 * @param enabled whether leaders install multicast views and members deliver multicasts
 * @param maxUnstableMulticasts most multicasts of a view not yet known held by every participant; a sequencer drops
 *     sends beyond it (their senders retry), and a member refuses new sends once it has as many of its own unconfirmed
 * @param maxUnstableBytes most payload bytes of such multicasts; bounds the tail a cut carries into the log, so it
 *     must stay well below the journal's largest record
 * @param suspectTicks a participant that holds back stability this long without acknowledging anything new is left
 *     out of the next view, so that the others' flow does not stop with it; it is let back in when it asks
 */
public record MulticastPolicy(boolean enabled, int maxUnstableMulticasts, int maxUnstableBytes, int suspectTicks) {
    /** Validates the bounds. */
    public MulticastPolicy {
        if (maxUnstableMulticasts < 1 || maxUnstableBytes < 1024 || suspectTicks < 1) {
            throw new IllegalArgumentException("multicast bounds must be positive (and at least 1 KiB): "
                    + maxUnstableMulticasts + "/" + maxUnstableBytes + "/" + suspectTicks);
        }
    }

    /** No multicast: no views are cut and multicast traffic is ignored (the default). */
    public static MulticastPolicy off() {
        return new MulticastPolicy(false, 4096, 1 << 20, 100);
    }

    /** Multicast with 4,096 unstable multicasts of at most 1 MiB in all, suspecting after {@code suspectTicks}. */
    public static MulticastPolicy on(int suspectTicks) {
        return new MulticastPolicy(true, 4096, 1 << 20, suspectTicks);
    }

    /** The largest payload one multicast may carry. */
    public int maxPayloadBytes() {
        return maxUnstableBytes / 4;
    }
}
