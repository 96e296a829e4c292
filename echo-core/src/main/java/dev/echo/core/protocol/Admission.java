package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.ProtocolCounters.Counter;
import java.util.function.Predicate;

/**
 * Who is heard (PROTOCOL.md §10): every message passes here before any handler sees it. Out-of-domain fields, a sender
 * this member may not listen to, and an earlier incarnation of a member are turned away and counted; a later
 * incarnation is recorded.
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class Admission {
    /**
     * The largest term rise a message from a sender this member knows as no voter (a learner, or a stranger leading
     * it in) may bring: 2^32 elections, one every 150 ms, take 20 years, while 2^30 such rises would be needed to
     * approach the 2^62 term domain.
     */
    static final long MAX_TERM_STEP_FROM_A_NON_VOTER = 1L << 32;

    private final MemberState state;

    /** What became of a message at the door. */
    enum Verdict {
        /** Refused, and counted. */
        REFUSED,
        /** Heard. */
        HEARD,
        /** Heard, from a new incarnation of its sender: what the earlier one said must be forgotten (§5). */
        HEARD_NEW_INCARNATION
    }

    Admission(MemberState state) {
        this.state = state;
    }

    Verdict admit(Message message, long incarnation, boolean authenticated) {
        // Out-of-domain input never reaches state, not even the table of incarnations (PROTOCOL.md §10).
        if (!Domains.contains(incarnation) || !MessageChecks.wellFormed(message, state.options)) {
            state.counters.increment(Counter.MALFORMED_MESSAGE);
            return Verdict.REFUSED;
        }
        if (!heardFrom(message, authenticated)) {
            state.counters.increment(Counter.UNKNOWN_SENDER);
            return Verdict.REFUSED;
        }
        // Learnt from anyone heard, members or not: a leader adding a member records the incarnation it last heard.
        Long known = state.incarnations.get(message.from());
        if (known != null && incarnation < known) {
            state.counters.increment(Counter.STALE_INCARNATION);
            return Verdict.REFUSED;
        }
        if (known == null || incarnation > known) {
            state.incarnations.put(message.from(), incarnation);
            return known == null ? Verdict.HEARD : Verdict.HEARD_NEW_INCARNATION;
        }
        return Verdict.HEARD;
    }

    /**
     * Whose messages this member listens to. Appends and hand-overs: any sender's, because a leader added after this
     * member's latest configuration entry is not yet in it, and this member learns of it only from that leader's log.
     * Everything else (votes above all, which a removed member could use to disrupt the group): members of the
     * configuration only, unless this member is outside its own configuration; then that configuration is stale (a
     * wiped or not yet caught-up member) and cannot judge who belongs, and its vote may be the one a legitimate
     * candidate needs. For the same reason a (pre-)vote request from a stranger whose log is strictly ahead of ours is
     * answered: the candidate knows a later configuration, one that may have added this member and need its vote.
     * Whom a voter votes for never affects safety (one vote per term, up-to-date check); the lease still shields a
     * live leader from disruption. A pre-vote below our term is heard from any known member, to be refused with that
     * term ({@link #preVoteToRefuseWithOurTerm}).
     */
    private boolean heardFrom(Message message, boolean authenticated) {
        if (message.from().equals(state.self)) {
            return false;
        }
        if (state.rules.holdStrangersToTheirRule()) {
            if (!knows(message.from())) {
                return strangerMayBeHeard(message, authenticated);
            }
            // A member that is a voter in no configuration this member knows (a learner) is not a candidate of any
            // term this member could know of: it raises no term except as a stranger would, or by a bounded step as
            // the leader it may have become, or the follower of one (learnerMayRaiseTheTerm).
            if (message.term() > state.term && !isClientRequest(message) && !knowsAsVoter(message.from())) {
                return learnerMayRaiseTheTerm(message, authenticated) || strangerMayBeHeard(message, authenticated);
            }
        }
        return message instanceof Message.AppendRequest
                || message instanceof Message.InstallSnapshot
                || message instanceof Message.TimeoutNow
                || message instanceof Message.MembershipRequest
                || message instanceof Message.MembershipResponse
                || state.isMember(message.from())
                || !state.isMember(state.self)
                || candidateKnowsMore(message)
                || preVoteToRefuseWithOurTerm(message);
    }

    /**
     * A pre-vote from a known member outside the configuration (removed, or stale about who belongs) for a term not
     * above ours: heard only to be refused, since the refusal carries our term (PROTOCOL.md §10). Nothing here changes
     * on hearing it, and it may be how the group's term reaches members that would otherwise never learn it: a stale
     * voter heeds a leader it does not know only in a term a known member told it, and the members it knows may be
     * exactly the removed ones. Without it the simulator found a group stuck for good (seed 95 with every fault):
     * dynamic voting had left one voter, which led its learner's stale log in a term no member that learner knew
     * could learn, because the leader heard none of the removed members' pre-votes.
     */
    private boolean preVoteToRefuseWithOurTerm(Message message) {
        return message instanceof Message.PreVoteRequest && message.term() <= state.term;
    }

    /**
     * What a stranger, a peer in no configuration this member knows, may say (PROTOCOL.md §10). An unauthenticated one
     * (an intruder on a transport set up without authentication): nothing at all, since one forged {@code TimeoutNow}
     * with a huge term could leave a group without a leader for good. An authenticated one is a machine of this
     * cluster that this member has not heard of yet, and may say only what the protocol needs from it:
     * <ul>
     *   <li>ask to join as a learner, and answer this member's membership requests (answers change no term);
     *   <li>lead this member in, by appends and snapshot chunks, in a term at most a bounded step above ours. Such a
     *       leader was added by an entry this member lacks (it waits to join, or it fell behind, wiped or
     *       suspended); a correct peer sends appends only in a term it won, and the authenticated peers of a
     *       cluster are correct (§10), so following it is what Raft does and cannot disrupt an election. Heeding it
     *       only in a term a known member had told this member left groups stuck for good: a learner never
     *       pre-votes, and a stale voter whose known members were all removed or as stale as itself never learned the
     *       term (protocol simulator, seeds 453104 and 453159 with every fault). The bound keeps a stranger, like a
     *       learner, from walking the term to the edge of its domain;
     *   <li>ask for its vote when the candidate's log is strictly ahead: that log may hold the configuration that
     *       added this member and needs its vote.
     * </ul>
     * Hand-overs and everything else from a stranger are refused.
     */
    private boolean strangerMayBeHeard(Message message, boolean authenticated) {
        if (!authenticated) {
            return false;
        }
        if (message instanceof Message.MembershipRequest request) {
            return request.change() instanceof MembershipChange.AddLearner add
                    && add.member().equals(request.from());
        }
        if (message instanceof Message.AppendRequest || message instanceof Message.InstallSnapshot) {
            return message.term() - state.term <= MAX_TERM_STEP_FROM_A_NON_VOTER;
        }
        return message instanceof Message.MembershipResponse || candidateKnowsMore(message);
    }

    /**
     * Whether a known learner's message may raise this member's term (PROTOCOL.md §10: the restriction is on strangers,
     * and a learner is a member). A learner never campaigns, so a term it names came from a leader. Two messages may:
     * <ul>
     *   <li>its appends and snapshot chunks: it may be the leader of that term, promoted by an entry this member lacks.
     *       Refusing them deadlocked groups in the simulator: a voter whose own log was stale (suspended while away, or
     *       wiped back to its bootstrap configuration) ignored the one leader able to catch it up, and nobody it
     *       counted as a voter knew the leader's term;
     *   <li>its refusal of this member's own pre-vote, while this member is a pre-candidate: it follows a leader of
     *       that term. Without it a stale voter could be stuck for good (the whole-node simulator, seed 25788): every
     *       voter it knew was as stale as it or gone, the leader was a stranger it heeds only in a term a known member
     *       told it, and only learners it knew knew that term.
     * </ul>
     * Neither can disrupt an election, so only the size of the step is bounded: far beyond the terms elections
     * produce, far below the term domain, so that a learner can never walk a member's term to the edge of the domain
     * (then {@code term + 1} would leave it, and the member could never campaign again).
     */
    private boolean learnerMayRaiseTheTerm(Message message, boolean authenticated) {
        boolean leads = message instanceof Message.AppendRequest || message instanceof Message.InstallSnapshot;
        boolean refusesOurPreVote = message instanceof Message.PreVoteResponse response
                && !response.granted()
                && state.role == Role.PRE_CANDIDATE;
        return authenticated
                && (leads || refusesOurPreVote)
                && message.term() - state.term <= MAX_TERM_STEP_FROM_A_NON_VOTER;
    }

    /**
     * Membership requests and answers, and multicast traffic (PROTOCOL.md §13), travel between members of any rank and
     * never change a term.
     */
    private static boolean isClientRequest(Message message) {
        return message instanceof Message.MembershipRequest
                || message instanceof Message.MembershipResponse
                || isMulticast(message);
    }

    /** Whether {@code message} belongs to multicast, beside the log (PROTOCOL.md §13). */
    static boolean isMulticast(Message message) {
        return message instanceof Message.MulticastSend
                || message instanceof Message.MulticastData
                || message instanceof Message.MulticastAck
                || message instanceof Message.MulticastReportRequest;
    }

    /** Whether {@code id} is a voter of a configuration this member knows (as {@link #knows}). */
    private boolean knowsAsVoter(MemberId id) {
        return state.configuration().isVoter(id) || someKnownConfiguration(known -> known.isVoter(id));
    }

    /**
     * Whether {@code id} is in a configuration this member knows: the one it was started with, its snapshot's, or any
     * in its log, committed or not (PROTOCOL.md §10). The latest configuration answers almost every message; the walk
     * over older ones is only for senders outside it.
     */
    boolean knows(MemberId id) {
        return state.isMember(id)
                || someKnownConfiguration(known -> known.members().contains(id));
    }

    private boolean someKnownConfiguration(Predicate<QuorumSystem> test) {
        if (test.test(state.startConfiguration) || test.test(state.log.bootstrapConfiguration())) {
            return true;
        }
        for (QuorumSystem configuration : state.log.configurationEntries().values()) {
            if (test.test(configuration)) {
                return true;
            }
        }
        return false;
    }

    private boolean candidateKnowsMore(Message message) {
        if (message instanceof Message.PreVoteRequest request) {
            return state.logStrictlyAhead(request.lastLogIndex(), request.lastLogTerm());
        }
        if (message instanceof Message.VoteRequest request) {
            return state.logStrictlyAhead(request.lastLogIndex(), request.lastLogTerm());
        }
        return false;
    }
}
