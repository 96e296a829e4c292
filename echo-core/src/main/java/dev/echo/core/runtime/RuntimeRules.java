package dev.echo.core.runtime;

/**
 * The rules of the node around the core that the whole-node simulator proves it can see broken, as
 * {@link dev.echo.core.protocol.SafetyRules} are for the core: {@link #STRICT}, the only rules a node runs with outside
 * the testkit, keeps every one, and each testkit mutant breaks one. This package is exported to the testkit alone, so
 * no application can choose them.
 *
 * <p>Implementations must be stateless and thread-safe.
 */
public interface RuntimeRules {
    /** Every rule kept. */
    RuntimeRules STRICT = new RuntimeRules() {};

    /**
     * An operation still without an outcome at its request deadline fails as {@code TIMEOUT}, outcome unknown,
     * never as certainly not applied: the command may still commit, and a client told otherwise may act as if it
     * never happened, or retry it and apply it twice (docs/guide.md, "Errors").
     */
    default boolean reportExpiredOperationsAsUnknown() {
        return true;
    }

    /**
     * A read asked for as linearizable goes through the core's read barrier (PROTOCOL.md §9): answered only once this
     * member has applied what a quorum confirmed was committed when the read began. Answering from local state
     * instead can miss a write that completed before the read was asked.
     */
    default boolean readsWaitForTheBarrier() {
        return true;
    }

    /**
     * A command is sent to the core once, under one sequence number; the core retries it under that number (PROTOCOL.md
     * §6). Sending it again under a new number when it is late would apply it twice whenever the first copy commits
     * after all.
     */
    default boolean commandsAreSentOnce() {
        return true;
    }
}
