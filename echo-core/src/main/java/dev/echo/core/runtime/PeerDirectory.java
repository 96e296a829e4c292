package dev.echo.core.runtime;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.QuorumSystem;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One group's part of the {@link PeerBook}: the addresses its configurations in force record (both halves of a joint
 * one). Checked after every step, before its messages go out, so that the first append to a member just added
 * already finds it. Loop thread only.
 */
final class PeerDirectory {
    private final String group;
    private final PeerBook book;
    private final LongSupplier clock;
    private QuorumSystem lastSeen;

    /** @param clock the node's time, which the book's grace periods are measured on */
    PeerDirectory(String group, PeerBook book, LongSupplier clock) {
        this.group = group;
        this.book = book;
        this.clock = clock;
    }

    /** Learns the addresses of {@code inForce}; cheap when it is the configuration seen last time. */
    void learn(QuorumSystem inForce) {
        if (inForce == lastSeen) {
            return;
        }
        lastSeen = inForce;
        Map<MemberId, PeerAddress> addresses = new HashMap<>();
        if (inForce instanceof JointConfiguration joint) {
            collect(joint.old(), addresses);
            collect(joint.next(), addresses);
        } else {
            collect((Configuration) inForce, addresses);
        }
        book.learn(group, addresses, clock.getAsLong());
    }

    private static void collect(Configuration configuration, Map<MemberId, PeerAddress> into) {
        for (Map.Entry<MemberId, MemberAddress> entry :
                configuration.addresses().entrySet()) {
            into.put(entry.getKey(), entry.getValue().endpoint());
        }
    }
}
