package dev.echo.testkit.sim;

import dev.echo.core.runtime.RuntimeRules;
import java.util.EnumSet;
import java.util.Set;

/**
 * Deliberate bugs in the node around the core, each breaking one of the runtime's {@link RuntimeRules}: the
 * whole-node simulator must catch each as the rule it breaks, which proves its checks are not vacuous
 * ({@code bin/echo-sim --nodes --runtime-mutation NAME}).
 */
public enum RuntimeMutation {
    /**
     * Report an operation that reached its deadline without an outcome as certainly not applied: the client drops a
     * write that may still commit, so a later read can see a value the history says was never written.
     */
    EXPIRED_AS_NOT_APPLIED,
    /**
     * Answer a linearizable read from the member's local state, without the read barrier: a follower behind the
     * leader answers a value older than a write that completed before the read began.
     */
    STALE_LINEARIZABLE_READS,
    /**
     * Send a command that reached its deadline again under a new sequence number instead of reporting it unknown: the
     * exactly-once session cannot recognise the copy, so when the first one commits after all, the command is applied
     * twice.
     */
    RESEND_LATE_COMMANDS;

    /** The runtime's rules with every one of {@code bugs} broken and every other rule kept. */
    public static RuntimeRules rulesBreaking(Set<RuntimeMutation> bugs) {
        Set<RuntimeMutation> broken = bugs.isEmpty() ? EnumSet.noneOf(RuntimeMutation.class) : EnumSet.copyOf(bugs);
        if (broken.isEmpty()) {
            return RuntimeRules.STRICT;
        }
        return new RuntimeRules() {
            @Override
            public boolean reportExpiredOperationsAsUnknown() {
                return !broken.contains(EXPIRED_AS_NOT_APPLIED);
            }

            @Override
            public boolean readsWaitForTheBarrier() {
                return !broken.contains(STALE_LINEARIZABLE_READS);
            }

            @Override
            public boolean commandsAreSentOnce() {
                return !broken.contains(RESEND_LATE_COMMANDS);
            }
        };
    }
}
