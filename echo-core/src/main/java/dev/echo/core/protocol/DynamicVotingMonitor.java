package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

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
            ToLongFunction<MemberId> heardIncarnation,
            long now,
            DynamicVoting policy,
            int electionTimeoutTicks) {
        if (policy.shrink()) {
            Optional<Configuration> shrunk = shrink(current, self, followers, heardIncarnation, now, policy);
            if (shrunk.isPresent()) {
                return shrunk;
            }
        }
        if (policy.readmit()) {
            return readmission(current, followers, heardIncarnation, now, policy, electionTimeoutTicks);
        }
        return Optional.empty();
    }

    /**
     * Suspends the silent voters, lowest rank first, as long as the floors allow. A voter heard from in a later
     * incarnation than the one recorded is suspended at once: its disk was wiped, so its recorded life will never
     * answer again.
     */
    private static Optional<Configuration> shrink(
            Configuration current,
            MemberId self,
            Map<MemberId, Progress> followers,
            ToLongFunction<MemberId> heardIncarnation,
            long now,
            DynamicVoting policy) {
        TreeSet<MemberId> suspended = new TreeSet<>();
        Configuration target = current;
        List<Voter> voters = current.voters();
        for (int rank = voters.size() - 1; rank >= 0; rank--) {
            MemberId id = voters.get(rank).id();
            Progress progress = followers.get(id);
            boolean reborn = heardIncarnation.applyAsLong(id) > voters.get(rank).incarnation();
            if (id.equals(self)
                    || progress == null
                    || (!reborn && now - progress.lastHeardTick() < policy.suspectTimeoutTicks())) {
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

    /**
     * Re-admits every suspended voter that has answered steadily long enough and caught up, at the incarnation it
     * answers from. A voter the floors kept voting although its disk was wiped gets its new incarnation recorded the
     * same way, once caught up.
     */
    private static Optional<Configuration> readmission(
            Configuration current,
            Map<MemberId, Progress> followers,
            ToLongFunction<MemberId> heardIncarnation,
            long now,
            DynamicVoting policy,
            int electionTimeoutTicks) {
        TreeMap<MemberId, Long> returning = new TreeMap<>();
        for (Voter voter : current.nominal()) {
            long incarnation = heardIncarnation.applyAsLong(voter.id());
            if (returning(current, voter, incarnation)
                    && ready(followers.get(voter.id()), now, policy, electionTimeoutTicks)) {
                returning.put(voter.id(), incarnation);
            }
        }
        // Restores the suspended ones and records the new incarnation of wiped ones still voting, in one change.
        return returning.isEmpty() ? Optional.empty() : Optional.of(current.readmitting(returning));
    }

    /**
     * Whether nominal voter {@code configured}, last heard at {@code heard}, is on its way back: suspended (and not
     * heard from an earlier life than recorded), or still voting but heard from a later life, its disk wiped.
     */
    static boolean returning(Configuration current, Voter configured, long heard) {
        return current.isVoter(configured.id()) ? heard > configured.incarnation() : heard >= configured.incarnation();
    }

    private static boolean ready(Progress progress, long now, DynamicVoting policy, int electionTimeoutTicks) {
        return progress != null
                && now - progress.lastHeardTick() <= electionTimeoutTicks
                && progress.steadySinceTick() >= 0
                && now - progress.steadySinceTick() >= policy.readmitAfterTicks()
                && progress.caughtUp();
    }
}
