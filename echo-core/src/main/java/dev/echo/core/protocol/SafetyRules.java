package dev.echo.core.protocol;

/**
 * The safety rules of PROTOCOL.md that the simulator proves it can see broken (ARCHITECTURE.md, Testing pyramid). Each
 * method states one rule; {@link #STRICT}, the only rules a member runs with outside the testkit, keeps every one. The
 * testkit's mutants break one rule at a time and require the simulator's checkers to report it: that is how a checker
 * proves it is not vacuous. The rules live here, not in {@link ProtocolOptions}, because no application chooses them.
 *
 * <p>Implementations must be stateless and thread-safe.
 */
public interface SafetyRules {
    /** Every rule kept. */
    SafetyRules STRICT = new SafetyRules() {};

    /** §4: a leader commits by counting replicas only entries of its own term (Raft Figure 8). */
    default boolean commitOnlyOwnTermByCounting() {
        return true;
    }

    /** §5: a follower acknowledges entries only once they are durable. */
    default boolean acknowledgeOnlyDurable() {
        return true;
    }

    /** §6: no (pre-)vote while a leader was heard within the minimum election timeout. */
    default boolean leaseBlocksVotes() {
        return true;
    }

    /** §6: a new leader appends a no-op, and gives read indexes only once an entry of its term is committed. */
    default boolean newLeaderAppendsNoOp() {
        return true;
    }

    /** §4: a follower truncates its log only at a real conflict (same index, different term). */
    default boolean truncateOnlyAtConflict() {
        return true;
    }

    /** §3: a change of voters goes through a joint configuration. */
    default boolean jointConsensusForVotingChanges() {
        return true;
    }

    /** §2: a configuration entry is in force as soon as it is in the log, committed or not. */
    default boolean configurationInForceWhenAppended() {
        return true;
    }

    /** §2, §11.14: an election is won by a weighted quorum of the configuration's voters, nothing else. */
    default boolean electByQuorumOnly() {
        return true;
    }

    /** §5: the log is compacted only after the snapshot covering it is durable. */
    default boolean compactOnlyAfterDurableSnapshot() {
        return true;
    }

    /** §5: a voter's vote and acknowledgements count only from the incarnation a configuration records for it. */
    default boolean countOnlyRecordedIncarnations() {
        return true;
    }

    /** §10: a stranger (a peer in no configuration this member knows) may say only what the stranger rule allows. */
    default boolean holdStrangersToTheirRule() {
        return true;
    }

    /** §13: a participant delivers its view's multicasts in the sequencer's order, holding back any that overtook. */
    default boolean deliverMulticastsInOrder() {
        return true;
    }

    /** §13: a sequencer takes each sender's multicasts in the sender's order, without gaps. */
    default boolean orderEachSenderInItsOrder() {
        return true;
    }

    /** §13: a cut carries the multicasts some continuing participant may lack, up to the cut. */
    default boolean cutCarriesTail() {
        return true;
    }

    /** §13: a participant delivers the ended view's multicasts up to the cut before it installs the next view. */
    default boolean deliverCutBeforeNextView() {
        return true;
    }

    /**
     * §13: a participant that reported to a new leader delivers nothing more in its view: its report bounds what it
     * delivered, and the new leader's cut is drawn from the reports.
     */
    default boolean freezeOnReport() {
        return true;
    }
}
