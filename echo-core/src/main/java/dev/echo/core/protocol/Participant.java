package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Objects;

/**
 * A member of a multicast view (PROTOCOL.md §13), as one process life: a member that restarts comes back with another
 * {@code life} and is a new participant, because whatever it delivered before was lost with its memory. Immutable.
 *
 * @param id the member
 * @param life a number drawn afresh at every start of the member's core
 */
public record Participant(MemberId id, long life) {
    /** Requires an id. */
    public Participant {
        Objects.requireNonNull(id, "id");
    }
}
