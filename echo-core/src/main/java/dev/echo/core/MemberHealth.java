package dev.echo.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What the group's leader knows of one other member (from {@link ReplicatedGroup#health()}). Only the leader tracks
 * the others, so other members report none. Immutable.
 *
 * @param member the member
 * @param reachable whether it answered the leader within the minimum election timeout, the window the leader's
 *     quorum check counts
 * @param lastHeard how long ago it last answered the leader (in the node's ticks, so to within one tick)
 * @param entriesBehind how many entries of the leader's log it does not hold yet, as far as the leader knows
 */
public record MemberHealth(MemberId member, boolean reachable, Duration lastHeard, long entriesBehind) {
    /** Requires a member and a non-negative time and lag. */
    public MemberHealth {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(lastHeard, "lastHeard");
        if (lastHeard.isNegative() || entriesBehind < 0) {
            throw new IllegalArgumentException("negative lastHeard or entriesBehind");
        }
    }
}
