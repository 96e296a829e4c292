package dev.echo.core.runtime;

import dev.echo.core.Tuning;
import dev.echo.core.View;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.DynamicVoting;
import dev.echo.core.protocol.MulticastPolicy;
import dev.echo.core.protocol.ProtocolOptions;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.SnapshotPolicy;
import dev.echo.core.protocol.Views;
import dev.echo.core.protocol.Voter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where the application's types meet the protocol's: a {@link View} to and from a
 * {@link Configuration}, and {@link Tuning} (durations) to {@link ProtocolOptions} (ticks). Keeping the protocol's
 * types out of the API (docs/architecture.md, "Packages") is what lets the protocol change without breaking
 * applications. Stateless.
 */
final class ProtocolTranslation {
    /** Requests and reads waiting at one member; the runtime's own in-flight bound is far below it. */
    private static final int MAX_PENDING_REQUESTS = 100_000;

    private ProtocolTranslation() {}

    /** The protocol's configuration for the application's initial view: first incarnations, same ranks and weights. */
    static Configuration configuration(View membership) {
        List<Voter> voters = new ArrayList<>(membership.voters().size());
        for (View.Member member : membership.voters()) {
            voters.add(new Voter(member.id(), member.weight()));
        }
        return new Configuration(voters, membership.learners(), List.of(), membership.addresses());
    }

    /** The application's view of a configuration in force from log index {@code epoch} (the next one if joint). */
    static View view(QuorumSystem system, long epoch) {
        return Views.of(system, epoch);
    }

    /**
     * The protocol's options for {@code tuning} on a node whose tick lasts {@code tickNanos}. Timeouts round up and
     * the heartbeat rounds down, so that the relations {@link Tuning} checks in durations (a heartbeat at most half
     * the election timeout, a suspect timeout at least twice it) still hold in ticks.
     *
     * @throws IllegalArgumentException if the tick is too coarse for the timeouts
     */
    static ProtocolOptions protocolOptions(Tuning tuning, long tickNanos) {
        int electionMin = ticksUp(tuning.electionTimeoutMin(), tickNanos);
        int electionMax = Math.max(ticksUp(tuning.electionTimeoutMax(), tickNanos), electionMin + 1);
        int heartbeat =
                Math.max(1, (int) Math.min(Integer.MAX_VALUE, tuning.heartbeat().toNanos() / tickNanos));
        if (electionMin < 2 || heartbeat * 2 > electionMin) {
            throw new IllegalArgumentException("the election timeout " + tuning.electionTimeoutMin()
                    + " must span at least two ticks and two heartbeats of the node's tick ("
                    + Duration.ofNanos(tickNanos) + ")");
        }
        int suspect = Math.max(ticksUp(tuning.suspectAfter(), tickNanos), 2 * electionMax);
        DynamicVoting dynamicVoting = new DynamicVoting(
                tuning.dynamicVoting(),
                tuning.dynamicVoting(),
                suspect,
                ticksUp(tuning.readmitAfter(), tickNanos),
                tuning.minVoters(),
                tuning.minWeightFraction());
        SnapshotPolicy snapshots = new SnapshotPolicy(
                tuning.snapshotIntervalEntries(),
                tuning.snapshotChunkBytes(),
                ticksUp(tuning.snapshotChunkTimeout(), tickNanos));
        return new ProtocolOptions(
                electionMin,
                electionMax,
                heartbeat,
                tuning.maxEntriesPerAppend(),
                tuning.maxAppendBytes(),
                tuning.maxInflightAppends(),
                tuning.minCopies(),
                ticksUp(tuning.retryInterval(), tickNanos),
                MAX_PENDING_REQUESTS,
                tuning.maxCommandBytes(),
                tuning.maxSessions(),
                tuning.sessionTtlEntries(),
                dynamicVoting,
                snapshots,
                MulticastPolicy.off()); // the group's options turn it on (GroupOptions.Builder.multicast)
    }

    private static int ticksUp(Duration duration, long tickNanos) {
        long nanos = duration.toNanos();
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (nanos + tickNanos - 1) / tickNanos));
    }
}
