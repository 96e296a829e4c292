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
     * live leader from disruption.
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
            // term this member could know of: it raises no term except as a stranger would, leading this member as
            // the leader it may have become by an entry this member lacks.
            if (message.term() > state.term && !isClientRequest(message) && !knowsAsVoter(message.from())) {
                return strangerMayBeHeard(message, authenticated);
            }
        }
        return message instanceof Message.AppendRequest
                || message instanceof Message.InstallSnapshot
                || message instanceof Message.TimeoutNow
                || message instanceof Message.MembershipRequest
                || message instanceof Message.MembershipResponse
                || state.isMember(message.from())
                || !state.isMember(state.self)
                || candidateKnowsMore(message);
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
     *       term (protocol simulator, seeds 453104 and 453159 with every fault). The bound keeps a stranger, or a
     *       learner, which raises a term only as a stranger would, from walking the term to the edge of its domain,
     *       where {@code term + 1} would leave it and this member could never campaign again;
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
