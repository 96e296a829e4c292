package dev.echo.core.runtime;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.View;
import dev.echo.core.protocol.MembershipChange;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
    private boolean member;
    private long backoffNanos = FIRST_BACKOFF_NANOS;
    private long nextAttemptNanos;
    private int attempts;

    JoinRequests(String group, MemberId self, MemberAddress address) {
        this.group = group;
        this.self = self;
        this.address = address;
    }

    /** The request to send now, if one is due while {@code view} (this member's latest) does not include it. */
    Optional<GroupLoop.ChangeMembership> due(long nowNanos, View view) {
        if (member || view.contains(self)) {
            member = true;
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
        answer.whenComplete((joined, refused) -> {
            if (refused != null) {
                LOG.info("{}: join request {} at {} not granted yet: {}", group, attempts, self, refused.getMessage());
            }
        });
        return Optional.of(new GroupLoop.ChangeMembership(
                new MembershipChange.AddLearner(self, Optional.of(address)), answer, deadline));
    }

    /** How many times this member has asked. */
    int attempts() {
        return attempts;
    }
}
