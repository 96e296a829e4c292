package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.testkit.sim.SimNode;
import java.util.List;

/**
 * What every checker may read about the simulated cluster.
 *
 * <p>Read by the checkers on the simulation's one thread; implementations need not be thread-safe.
 */
public interface ClusterView {
    /** Every member, up or down. */
    List<SimNode> nodes();

    /** The incarnation of member {@code id}'s current disk, or -1 for a member the simulation does not run. */
    default long diskIncarnation(MemberId id) {
        for (SimNode node : nodes()) {
            if (node.id().equals(id)) {
                return node.disk().incarnation();
            }
        }
        return -1;
    }

    /** The checkers' mirror of member {@code node}'s log. */
    LogMirror mirror(int node);

    /** The ghost log of commits. */
    CommittedLog committed();

    /** The bootstrap configuration every member started from (each log then follows its own entries). */
    QuorumSystem configuration();

    /** The members' protocol options. */
    ProtocolOptions options();
}
