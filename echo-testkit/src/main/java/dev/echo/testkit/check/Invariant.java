package dev.echo.testkit.check;

/**
 * One rule of PROTOCOL.md §11, checked after every step of every member. Implementations keep whatever history
 * they need and throw {@link InvariantViolation} when the rule breaks. Not thread-safe.
 */
public interface Invariant {
    /** Checks the rule after {@code step}. */
    void afterStep(StepRecord step, ClusterView cluster);

    /** A member was (re)started from its disk. */
    default void afterRestart(int node, ClusterView cluster) {}
}
