package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The leader's decision of PROTOCOL.md §7: which voters to suspend (all current suspects in one change, down to the
 * floors) and which suspended voters to re-admit (steady and caught up). A pure function of the leader's view of its
 * followers; {@link Reconfiguration} carries the result out through joint consensus. Not thread-safe; stateless.
 */
final class DynamicVotingMonitor {
    private DynamicVotingMonitor() {}

    /**
     * The change the leader should propose now, if any: a shrink takes precedence over a re-admission, since the
     * group may be unable to commit anything until the silent voters stop counting.
     */
    static Optional<Configuration> proposal(
            Configuration current,
            MemberId self,
            Map<MemberId, Progress> followers,
            long now,
            DynamicVoting policy,
            int electionTimeoutTicks) {
        if (policy.shrink()) {
            Optional<Configuration> shrunk = shrink(current, self, followers, now, policy);
            if (shrunk.isPresent()) {
                return shrunk;
            }
        }
        if (policy.readmit()) {
            return readmission(current, followers, now, policy, electionTimeoutTicks);
        }
        return Optional.empty();
    }

    /** Suspends the silent voters, lowest rank first, as long as the floors allow. */
    private static Optional<Configuration> shrink(
            Configuration current, MemberId self, Map<MemberId, Progress> followers, long now, DynamicVoting policy) {
        TreeSet<MemberId> suspended = new TreeSet<>();
        Configuration target = current;
        List<Voter> voters = current.voters();
        for (int rank = voters.size() - 1; rank >= 0; rank--) {
            MemberId id = voters.get(rank).id();
            Progress progress = followers.get(id);
            if (id.equals(self) || progress == null || now - progress.lastHeardTick < policy.suspectTimeoutTicks()) {
                continue;
            }
            suspended.add(id);
            Configuration candidate = current.suspending(suspended);
            if (!withinFloors(candidate, policy)) {
                suspended.remove(id); // keep this one voting; a higher-ranked suspect may still fit
                continue;
            }
            target = candidate;
        }
        return target == current ? Optional.empty() : Optional.of(target);
    }

    private static boolean withinFloors(Configuration candidate, DynamicVoting policy) {
        return candidate.voters().size() >= policy.minVoters()
                && candidate.totalWeight() >= policy.minWeightFraction() * candidate.nominalWeight();
    }

    /** Re-admits every suspended voter that has answered steadily long enough and caught up. */
    private static Optional<Configuration> readmission(
            Configuration current,
            Map<MemberId, Progress> followers,
            long now,
            DynamicVoting policy,
            int electionTimeoutTicks) {
        TreeSet<MemberId> returning = new TreeSet<>();
        for (Voter voter : current.suspended()) {
            Progress progress = followers.get(voter.id());
            if (progress != null
                    && now - progress.lastHeardTick <= electionTimeoutTicks
                    && progress.steadySinceTick >= 0
                    && now - progress.steadySinceTick >= policy.readmitAfterTicks()
                    && progress.caughtUp) {
                returning.add(voter.id());
            }
        }
        return returning.isEmpty() ? Optional.empty() : Optional.of(current.readmitting(returning));
    }
}
