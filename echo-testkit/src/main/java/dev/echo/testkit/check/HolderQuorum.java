package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.QuorumSystem;
import java.util.Set;

/**
 * The durability test behind §11.11 and §11.12 with wiped disks (PROTOCOL.md §5). An entry is safe when the members
 * that do not hold it, counted only as the incarnation the configuration records for them, cannot form a quorum, so
 * no leader can be elected, and nothing committed, without a holder. Without wipes, that is exactly "the holders form
 * a quorum": quorums of one configuration always intersect. A wiped holder stops counting for its recorded self, so
 * the loss of its copy never lets the others form a quorum without one. Stateless.
 */
final class HolderQuorum {
    private HolderQuorum() {}

    /** Whether the members outside {@code holders} could form a quorum of {@code configuration} by themselves. */
    static boolean othersFormAQuorum(QuorumSystem configuration, Set<MemberId> holders, ClusterView cluster) {
        return configuration.isQuorumOf(
                (id, incarnation) -> !holders.contains(id) && cluster.diskIncarnation(id) == incarnation);
    }

    /**
     * Whether fewer than {@code minCopies} members hold the entry. Checked only while no disk was ever wiped or
     * damaged: that destroys copies, and only the quorum rule above still holds after it.
     */
    static boolean tooFewCopies(Set<MemberId> holders, ClusterView cluster) {
        boolean lost = cluster.nodes().stream().anyMatch(node -> node.disk().lostData());
        return !lost && holders.size() < cluster.options().minCopies();
    }
}
