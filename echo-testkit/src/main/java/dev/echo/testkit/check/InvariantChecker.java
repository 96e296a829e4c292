package dev.echo.testkit.check;

import dev.echo.core.protocol.Output;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.testkit.sim.SimNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every invariant after every step (PROTOCOL.md §11) and keeps the state they share: one log mirror per
 * member and the ghost log of commits. Not thread-safe.
 */
public final class InvariantChecker implements ClusterView {
    private final List<SimNode> nodes;
    private final QuorumSystem configuration;
    private final ProtocolOptions options;
    private final List<LogMirror> mirrors = new ArrayList<>();
    private final CommittedLog committed = new CommittedLog();
    private final ExactlyOnce exactlyOnce = new ExactlyOnce();
    private final List<Invariant> invariants;

    /** Checks {@code nodes}, which share {@code configuration} and {@code options}. */
    public InvariantChecker(List<SimNode> nodes, QuorumSystem configuration, ProtocolOptions options) {
        this.nodes = List.copyOf(nodes);
        this.configuration = configuration;
        this.options = options;
        for (int i = 0; i < nodes.size(); i++) {
            mirrors.add(new LogMirror());
        }
        this.invariants = List.of(
                new SingleLeaderPerTerm(),
                new DurableVoteBeforeReply(),
                new MonotonicTerm(),
                new LogMatching(),
                new LeaderAppendOnly(),
                new CommittedEntriesSurvive(),
                new AppliedPrefixesAgree(),
                new ViewsInApplyStream(),
                new VirtualSynchrony(),
                new IndexOrder(),
                new CommitNeedsDurableQuorum(),
                new LeaderCommitsOwnTerm(),
                new AcknowledgedEntriesStayDurable(),
                new OnlyMembersElect(),
                new FaultedMembersStayOut(),
                new ConfigurationsAdjacent(),
                new OneConfigurationChangeAtATime(),
                exactlyOnce,
                new LeaderLeaseRespected(),
                new SnapshotsMatchCommittedState(),
                new HostileInputChangesNothing());
    }

    /** Checks every invariant after {@code step}; throws {@link InvariantViolation} on the first broken one. */
    public void afterStep(StepRecord step) {
        var core = step.node().core().orElseThrow();
        LogMirror mirror = mirrors.get(step.node().index());
        for (Output output : step.outputs()) {
            if (output instanceof Output.Persist persist) {
                mirror.apply(persist, core.log(), step.node()::entry);
            } else if (output instanceof Output.CompactLog) {
                mirror.rebuild(core.log(), step.node()::entry, committed);
            }
        }
        if (mirror.lastIndex() != core.log().lastIndex()) {
            throw new InvariantViolation(
                    "§5 every log change is persisted",
                    step.node().id() + " changed its log without a matching persist");
        }
        extendCommitted(step);
        for (Invariant invariant : invariants) {
            invariant.afterStep(step, this);
        }
    }

    /** A member restarted from its disk. */
    public void afterRestart(int node) {
        SimNode restarted = nodes.get(node);
        mirrors.get(node).rebuild(restarted.core().orElseThrow().log(), restarted::entry, committed);
        for (Invariant invariant : invariants) {
            invariant.afterRestart(node, this);
        }
    }

    /** The exactly-once rule, which also hears the clients' outcomes. */
    public ExactlyOnce exactlyOnce() {
        return exactlyOnce;
    }

    /** Checks that need the whole run. */
    public void atEnd() {
        exactlyOnce.atEnd(this);
    }

    private void extendCommitted(StepRecord step) {
        long commit = step.after().commitIndex();
        if (commit <= committed.lastIndex()) {
            return;
        }
        var log = step.node().core().orElseThrow().log();
        LogMirror mirror = mirrors.get(step.node().index());
        long known = committed.lastIndex();
        if (mirror.prefixHash(known) != committed.prefixHash(known)) {
            throw new InvariantViolation(
                    "§11.6 committed entries never change",
                    step.node().id() + " committed up to " + commit + " on a log that differs from the committed log"
                            + " at or before " + known);
        }
        for (long i = Math.max(committed.lastIndex(), log.snapshotIndex()) + 1; i <= commit; i++) {
            committed.add(step.node().entry(i), mirror.prefixHash(i));
        }
    }

    @Override
    public List<SimNode> nodes() {
        return nodes;
    }

    @Override
    public LogMirror mirror(int node) {
        return mirrors.get(node);
    }

    @Override
    public CommittedLog committed() {
        return committed;
    }

    @Override
    public QuorumSystem configuration() {
        return configuration;
    }

    @Override
    public ProtocolOptions options() {
        return options;
    }
}
