package dev.echo.core.runtime;

import dev.echo.core.JoinProgress;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.View;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.transport.PeerState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new machine asking to join (PROTOCOL.md §8): while it is in no configuration, it asks to be added as a learner at
 * its address, the core sending the request to every voter it knows (its seeds) since it follows no leader. One
 * request at a time; after a refusal or silence it asks again, backing off from {@link #FIRST_BACKOFF_NANOS} to
 * {@link #MAX_BACKOFF_NANOS}, so that an unreachable seed costs little. Once it is a member it never asks again in
 * this life: a member removed later stays removed. Loop thread only.
 */
final class JoinRequests {
    /** First wait between attempts: a few election timeouts, time for the leader to add it and be heard. */
    static final long FIRST_BACKOFF_NANOS = 500_000_000L;
    /** Longest wait between attempts. */
    static final long MAX_BACKOFF_NANOS = 10_000_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(JoinRequests.class);

    private final String group;
    private final MemberId self;
    private final MemberAddress address;
    /** Its own log says it was a member before: it was removed, and a removed member stays removed. */
    private final boolean removedBefore;

    // Written on the loop thread only; volatile for progress(), which any thread may call.
    private volatile boolean member;
    private volatile int attempts;
    private volatile String lastOutcome;
    private long backoffNanos = FIRST_BACKOFF_NANOS;
    private long nextAttemptNanos;

    /**
     * @param removedBefore whether this member's own log shows it in a configuration it is no longer in: it was
     *     removed, so it never asks to join again under this identity (it says so once, at WARN)
     */
    JoinRequests(String group, MemberId self, MemberAddress address, boolean removedBefore) {
        this.group = group;
        this.self = self;
        this.address = address;
        this.removedBefore = removedBefore;
        if (removedBefore) {
            LOG.warn(
                    "{}: {} was removed from the group (its own log says so) and does not ask to join again under this"
                            + " identity; a member adds it back, or it joins with an empty data directory",
                    group,
                    self);
        }
    }

    /** The request to send now, if one is due while {@code view} (what this member applied) does not include it. */
    Optional<GroupLoop.ChangeMembership> due(long nowNanos, View view) {
        if (view.contains(self)) {
            member = true; // in a committed view: never asks again in this life, even once removed
        }
        if (member || removedBefore) {
            return Optional.empty();
        }
        if (attempts > 0 && nowNanos - nextAttemptNanos < 0) {
            return Optional.empty();
        }
        attempts++;
        nextAttemptNanos = nowNanos + backoffNanos;
        long deadline = nextAttemptNanos;
        backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
        CompletableFuture<View> answer = new CompletableFuture<>();
        int attempt = attempts;
        long retryMillis = backoffNanos / 1_000_000;
        answer.whenComplete((joined, refused) -> {
            if (refused != null) {
                lastOutcome = refused.getMessage();
                // An unreachable seed, or a leader still catching up: said at WARN from the third attempt on.
                if (attempt >= 3) {
                    LOG.warn(
                            "{}: {} is still not added after {} requests to its seeds ({}); asking again in {} ms",
                            group,
                            self,
                            attempt,
                            refused.getMessage(),
                            retryMillis);
                } else {
                    LOG.info(
                            "{}: join request {} of {} not granted yet: {}",
                            group,
                            attempt,
                            self,
                            refused.getMessage());
                }
            }
        });
        return Optional.of(new GroupLoop.ChangeMembership(
                new MembershipChange.AddLearner(self, Optional.of(address)), answer, deadline));
    }

    /** How many times this member has asked. */
    int attempts() {
        return attempts;
    }

    /**
     * Where the join stands, empty once this member is in; {@code seeds} are the voters it asks. Any thread.
     *
     * @param reachability what the transport knows of each seed
     */
    Optional<JoinProgress> progress(List<MemberId> seeds, Function<MemberId, PeerState> reachability) {
        if (member) {
            return Optional.empty();
        }
        List<MemberId> unreachable = seeds.stream()
                .filter(seed -> reachability.apply(seed) == PeerState.UNREACHABLE)
                .toList();
        return Optional.of(
                new JoinProgress(attempts, seeds, unreachable, Optional.ofNullable(lastOutcome), removedBefore));
    }
}
