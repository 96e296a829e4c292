package dev.echo.testkit.sim;

import dev.echo.core.GroupStatus;
import dev.echo.core.MemberId;
import dev.echo.core.protocol.Message;
import dev.echo.testkit.check.InvariantViolation;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The rules of PROTOCOL.md §11 that the whole-node simulator checks from outside real nodes: from what each one
 * reports through {@code ReplicatedGroup.status()} and from the messages it sends.
 *
 * <ul>
 *   <li>§11.1: one leader per term;
 *   <li>§11.3: a process's term never decreases within its life; across restarts, a member never speaks in a term
 *       below one it spoke in before (a term it never spoke in may be lost with an unforced hard state);
 *   <li>§11.8: a process's commit index never decreases within its life, and it never applied beyond it;
 *   <li>§5: a machine never speaks from an earlier incarnation than one it spoke from: its journal records each new
 *       one durably before it says anything.
 * </ul>
 *
 * <p>Not thread-safe: for the single-threaded simulator.
 */
final class ObservedRules {
    private final Consumer<String> log;
    /** Who led each term, as the nodes reported it. */
    private final TreeMap<Long, MemberId> leaders = new TreeMap<>();

    private final Map<MemberId, Machine> machines = new HashMap<>();

    /** What one machine has shown so far. */
    private static final class Machine {
        int life;
        /** The highest term this process reported. */
        long highestTerm;
        /** The commit index this process reported last. */
        long lastCommit;
        /** The highest term this machine spoke in, in any life, and the life it spoke in it. */
        long highestTermSpoken;

        int lifeOfHighestTermSpoken;
        /** The latest incarnation this machine spoke from. */
        long incarnation = -1;
    }

    /** @param log receives a line each time a member reports a higher term */
    ObservedRules(Consumer<String> log) {
        this.log = log;
    }

    private Machine machine(MemberId id) {
        return machines.computeIfAbsent(id, any -> new Machine());
    }

    /** {@code id} starts a new process: it learns its commit index again, and may have lost a term never spoken in. */
    void started(MemberId id, int life) {
        Machine machine = machine(id);
        machine.life = life;
        machine.highestTerm = 0;
        machine.lastCommit = 0;
    }

    /** Checks a status {@code id} reported; throws what it breaks. */
    void reported(MemberId id, GroupStatus status) {
        Machine machine = machine(id);
        if (status.term() < machine.highestTerm) {
            throw new InvariantViolation(
                    "§11.3 currentTerm never decreases within a process's life",
                    id + ": " + machine.highestTerm + " -> " + status.term());
        }
        if (status.term() > machine.highestTerm) {
            log.accept(id + " term " + status.term() + " " + status.role());
        }
        machine.highestTerm = status.term();
        if (status.commitIndex() < machine.lastCommit || status.lastApplied() > status.commitIndex()) {
            throw new InvariantViolation(
                    "§11.8 applied <= commit, and commit never decreases",
                    id + ": commit " + machine.lastCommit + " -> " + status.commitIndex() + ", applied "
                            + status.lastApplied());
        }
        machine.lastCommit = status.commitIndex();
        if (status.role() == GroupStatus.Role.LEADER) {
            MemberId before = leaders.putIfAbsent(status.term(), id);
            if (before != null && !before.equals(id)) {
                throw new InvariantViolation(
                        "§11.1 one leader per term", before + " and " + id + " both led term " + status.term());
            }
        }
    }

    /**
     * Checks a message {@code id} sends; returns what it breaks, or null. Returned, not thrown: the caller is inside
     * the node's step, where the runtime would take an exception for its own bug.
     */
    InvariantViolation spoke(MemberId id, long incarnation, Message message) {
        Machine machine = machine(id);
        if (incarnation < machine.incarnation) {
            return new InvariantViolation(
                    "§5 a member's incarnation never goes back",
                    id + " spoke from incarnation " + machine.incarnation + ", now from " + incarnation);
        }
        machine.incarnation = incarnation;
        if (message instanceof Message.PreVoteRequest || message instanceof Message.PreVoteResponse) {
            return null; // a pre-vote carries a term proposed, not held (PROTOCOL.md §6)
        }
        long term = message.term();
        if (term < machine.highestTermSpoken && machine.life > machine.lifeOfHighestTermSpoken) {
            return new InvariantViolation(
                    "§11.3 a term is durable before a member speaks in it",
                    id + " spoke in term " + machine.highestTermSpoken + " in an earlier life, now in " + term + ": "
                            + message.getClass().getSimpleName());
        }
        if (term > machine.highestTermSpoken) {
            machine.highestTermSpoken = term;
            machine.lifeOfHighestTermSpoken = machine.life;
        }
        return null;
    }
}
