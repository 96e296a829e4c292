package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Arrays;
import java.util.Map;

/**
 * What may commit at a leader (PROTOCOL.md §4 step 3): the highest entry held durably by a quorum of every
 * configuration in force and by at least {@code minCopies} members, counting each voter only as the incarnation the
 * configuration records (§5). Only an entry of the leader's own term commits by counting (Raft Figure 8); earlier ones
 * commit with it. Part of its {@link Leader}.
 *
 * <p>The dispatcher asks at the end of every step, so the answer is kept until one of its inputs changes: the
 * followers' acknowledgements (the leader reports each change), the leader's own durable and last index, the
 * configuration in force and the commit index.
 *
 * <p>Threading: not thread-safe; driven by its {@link GroupProtocol}'s thread.
 */
final class CommitRule {
    private final MemberState state;
    private final Map<MemberId, Progress> followers;
    private final HoldsIndex holdsIndex = new HoldsIndex();

    private boolean acknowledgementsChanged = true;
    private long answeredDurable;
    private long answeredLast;
    private long answeredCommit;
    private QuorumSystem answeredConfiguration;
    private long answer;
    /** Scratch for {@link #compute}, which runs on every acknowledgement: kept, not allocated per call. */
    private long[] candidates = new long[0];

    CommitRule(MemberState state, Map<MemberId, Progress> followers) {
        this.state = state;
        this.followers = followers;
    }

    /** A follower's acknowledged index, or the set of followers, may have changed. */
    void acknowledgementsChanged() {
        acknowledgementsChanged = true;
    }

    /** The index to commit up to: the commit index itself if nothing above it may commit. */
    long committableIndex() {
        long ownDurable = state.durability.durableIndex();
        QuorumSystem configuration = state.configuration();
        if (!acknowledgementsChanged
                && ownDurable == answeredDurable
                && state.log.lastIndex() == answeredLast
                && state.commitIndex == answeredCommit
                && configuration == answeredConfiguration) {
            return answer;
        }
        acknowledgementsChanged = false;
        answeredDurable = ownDurable;
        answeredLast = state.log.lastIndex();
        answeredCommit = state.commitIndex;
        answeredConfiguration = configuration;
        answer = compute(ownDurable);
        return answer;
    }

    private long compute(long ownDurable) {
        // The holder set only changes at someone's match index, so the highest committable index is one of them:
        // try those (at most one per member, highest first) instead of every uncommitted entry.
        if (candidates.length < followers.size() + 1) {
            candidates = new long[followers.size() + 1];
        }
        long[] candidates = this.candidates;
        int count = 0;
        candidates[count++] = Math.min(ownDurable, state.log.lastIndex());
        for (Progress progress : followers.values()) {
            candidates[count++] = progress.matchIndex();
        }
        Arrays.sort(candidates, 0, count);
        for (int i = count - 1; i >= 0; i--) {
            long index = candidates[i];
            if (index <= state.commitIndex) {
                break;
            }
            if (i < count - 1 && candidates[i + 1] == index) {
                continue; // tried already
            }
            if (state.log.termAt(index) != state.term && state.rules.commitOnlyOwnTermByCounting()) {
                break; // terms only decrease going back: no current-term entry below
            }
            if (heldByEnough(index, ownDurable)) {
                return index;
            }
        }
        return state.commitIndex;
    }

    /** Whether a quorum of every configuration in force, and at least {@code minCopies} members, hold {@code index}. */
    private boolean heldByEnough(long index, long ownDurable) {
        int holders = ownDurable >= index ? 1 : 0;
        for (Progress progress : followers.values()) {
            if (progress.matchIndex() >= index) {
                holders++;
            }
        }
        if (holders < state.options.minCopies()) {
            return false;
        }
        holdsIndex.index = index;
        holdsIndex.ownDurable = ownDurable;
        return state.configuration().isQuorumOf(holdsIndex);
    }

    /**
     * Whether a voter, as the incarnation recorded for it, holds the index under test: one reusable test, so the
     * commit check allocates nothing.
     */
    private final class HoldsIndex implements QuorumSystem.VoterTest {
        long index;
        long ownDurable;

        @Override
        public boolean test(MemberId id, long incarnation) {
            if (!state.countsAs(id, incarnation)) {
                return false; // another life of that member: what it holds is not what the configuration counts on
            }
            if (id.equals(state.self)) {
                return ownDurable >= index;
            }
            Progress progress = followers.get(id);
            return progress != null && progress.matchIndex() >= index;
        }
    }
}
