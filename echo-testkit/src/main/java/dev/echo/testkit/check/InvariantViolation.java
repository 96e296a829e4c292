package dev.echo.testkit.check;

/**
 * Thrown by a checker when the cluster broke a rule; carries the rule's section of PROTOCOL.md.
 *
 * <p>Immutable once thrown.
 */
public final class InvariantViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The rule broken, e.g. "§11.1 at most one leader per term". */
    private final String rule;

    /** Creates a violation of {@code rule} with the details in {@code message}. */
    public InvariantViolation(String rule, String message) {
        super(rule + ": " + message);
        this.rule = rule;
    }

    /** The rule that was broken. */
    public String rule() {
        return rule;
    }
}
