package dev.echo.core.runtime;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.transport.Transport;
import java.util.HashMap;
import java.util.Map;

/**
 * Tells the transport where the members of a group's configurations in force can be reached (PROTOCOL.md §8: members
 * are machines, and start-up peer lists are only seeds). Checked after every step, before its messages go out, so
 * that the first append to a member just added already finds it. Loop thread only.
 */
final class PeerDirectory {
    private final MemberId self;
    private final Transport transport;
    private final Map<MemberId, PeerAddress> told = new HashMap<>();
    private QuorumSystem lastSeen;

    PeerDirectory(MemberId self, Transport transport) {
        this.self = self;
        this.transport = transport;
    }

    /** Learns the addresses of {@code inForce}; cheap when it is the configuration seen last time. */
    void learn(QuorumSystem inForce) {
        if (inForce == lastSeen) {
            return;
        }
        lastSeen = inForce;
        if (inForce instanceof JointConfiguration joint) {
            learn(joint.old());
            learn(joint.next());
        } else {
            learn((Configuration) inForce);
        }
    }

    private void learn(Configuration configuration) {
        for (Map.Entry<MemberId, MemberAddress> entry :
                configuration.addresses().entrySet()) {
            MemberId member = entry.getKey();
            PeerAddress endpoint = entry.getValue().endpoint();
            if (!member.equals(self) && !endpoint.equals(told.put(member, endpoint))) {
                transport.updatePeer(member, endpoint);
            }
        }
    }
}
