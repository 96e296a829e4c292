package dev.echo.core.protocol;

import dev.echo.core.MemberId;

/**
 * What a leader knows of one follower (issue 24, health): how much of the log it holds and when it last answered.
 * Immutable.
 *
 * @param member the follower
 * @param matchIndex the highest index it holds durably, as far as the leader knows
 * @param ticksSinceHeard ticks since its last answer to this leader
 * @param reachable whether it answered within the minimum election timeout, the window check-quorum counts (§6)
 */
public record FollowerHealth(MemberId member, long matchIndex, long ticksSinceHeard, boolean reachable) {}
