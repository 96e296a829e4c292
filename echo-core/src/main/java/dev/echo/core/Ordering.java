package dev.echo.core;

/**
 * The order in which a {@link ReplicatedGroup#multicast multicast} must be delivered relative to others of its view
 * (PROTOCOL.md §13). Echo delivers every multicast of a view in one total order set by the view's sequencer (the
 * leader), which satisfies all three: ask for the weakest your application needs, so that a cheaper path for it, when
 * Echo has one, changes nothing for you.
 */
public enum Ordering {
    /** Each sender's multicasts in the order it sent them (fbcast). */
    FIFO,
    /** A multicast after every multicast its sender had delivered when it sent it (cbcast). */
    CAUSAL,
    /** One order at every member (abcast). */
    TOTAL
}
