package dev.echo.core.protocol;

/**
 * The domains of the protocol's numeric fields (PROTOCOL.md §10): terms, indexes, incarnations, client sequences and
 * read rounds are non-negative and below {@link #LIMIT}, so {@code value + 1} never overflows however a value was
 * reached. The codecs refuse anything outside at decode; the core checks again before a value reaches its state, so
 * an in-memory transport or a simulator that skips the codec is held to the same rule.
 *
 * <p>Stateless; thread-safe.
 */
public final class Domains {
    /** Exclusive upper bound of every term, index, incarnation and sequence: 2^62. */
    public static final long LIMIT = 1L << 62;

    private Domains() {}

    /** Whether {@code value} is a valid term, index, incarnation or sequence: {@code 0 <= value < 2^62}. */
    public static boolean contains(long value) {
        return value >= 0 && value < LIMIT;
    }
}
