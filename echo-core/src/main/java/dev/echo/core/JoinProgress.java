package dev.echo.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a machine that asked to join stands ({@link GroupOptions.Builder#joinAt}, PROTOCOL.md §8), from
 * {@link ReplicatedGroup#joining()} until a committed view includes it. Immutable.
 *
 * @param attempts how many times it asked its seeds so far
 * @param seeds the voters it asks: its seeds, until its log names the group's members
 * @param unreachableSeeds the seeds its transport tried and cannot reach now (a transport that cannot tell, such as
 *     UDP, reports none)
 * @param lastOutcome why the last request that ended did not add it (no answer in time, a refusal), if one ended
 * @param gaveUp whether it stopped asking: its own log shows it was removed from the group, and a removed member stays
 *     removed (a member adds it back, or it joins again with an empty data directory)
 */
public record JoinProgress(
        int attempts,
        List<MemberId> seeds,
        List<MemberId> unreachableSeeds,
        Optional<String> lastOutcome,
        boolean gaveUp) {
    /** Freezes the lists. */
    public JoinProgress {
        seeds = List.copyOf(seeds);
        unreachableSeeds = List.copyOf(unreachableSeeds);
        Objects.requireNonNull(lastOutcome, "lastOutcome");
        if (attempts < 0) {
            throw new IllegalArgumentException("negative attempts");
        }
    }
}
