package dev.echo.core.runtime;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.transport.Transport;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The node's book of peer addresses learnt from its groups' configurations in force (PROTOCOL.md §8): the transport
 * is told where each member listens, and, once a member has been in no group's configuration for
 * {@link #GRACE_NANOS}, to forget it. The grace lets a leader still deliver a removed member's removal to it, and
 * keeps a member that one group removed while another still counts it. Peers only known from the transport's start-up
 * list (seeds) are never forgotten here.
 *
 * <p>Thread-safe: the groups' loops call it from their threads.
 */
final class PeerBook {
    /** How long a member that left every configuration stays reachable. */
    static final long GRACE_NANOS = 10_000_000_000L;

    private final MemberId self;
    private final Transport transport;
    private final Map<String, Map<MemberId, PeerAddress>> byGroup = new HashMap<>();
    /** What the transport was told, for every member some group's configuration records. */
    private final Map<MemberId, PeerAddress> told = new HashMap<>();
    /** Members told about that no group's configuration records any more, and since when. */
    private final Map<MemberId, Long> leftAt = new HashMap<>();

    PeerBook(MemberId self, Transport transport) {
        this.self = self;
        this.transport = transport;
    }

    /** The addresses group {@code group}'s configurations in force record now. */
    synchronized void learn(String group, Map<MemberId, PeerAddress> inForce, long nowNanos) {
        byGroup.put(group, Map.copyOf(inForce));
        reconcile(nowNanos);
    }

    /** Group {@code group} left this node: its members count no more. */
    synchronized void forgetGroup(String group, long nowNanos) {
        byGroup.remove(group);
        reconcile(nowNanos);
    }

    /** Forgets members whose grace is over; cheap when none is waiting. */
    synchronized void expire(long nowNanos) {
        for (Iterator<Map.Entry<MemberId, Long>> it = leftAt.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<MemberId, Long> left = it.next();
            if (nowNanos - left.getValue() >= GRACE_NANOS) {
                it.remove();
                told.remove(left.getKey());
                transport.forgetPeer(left.getKey());
            }
        }
    }

    private void reconcile(long nowNanos) {
        Map<MemberId, PeerAddress> union = new HashMap<>();
        byGroup.values().forEach(union::putAll); // two groups naming one member differently: the last one wins
        union.remove(self);
        for (Map.Entry<MemberId, PeerAddress> entry : union.entrySet()) {
            leftAt.remove(entry.getKey());
            if (!entry.getValue().equals(told.put(entry.getKey(), entry.getValue()))) {
                transport.updatePeer(entry.getKey(), entry.getValue());
            }
        }
        for (MemberId member : told.keySet()) {
            if (!union.containsKey(member)) {
                leftAt.putIfAbsent(member, nowNanos);
            }
        }
    }
}
