package dev.echo.testkit.check;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.GroupProtocol;
import dev.echo.core.protocol.MemberStatus;
import dev.echo.core.protocol.Role;
import java.util.Optional;

/**
 * The observable state of one member at one moment, captured before and after each step.
 *
 * <p>Immutable.
 *
 * @param role role
 * @param term current term
 * @param votedFor vote in the term
 * @param commitIndex commit index
 * @param lastApplied applied index
 * @param lastIndex last log index
 */
public record MemberState(
        Role role,
        long term,
        Optional<MemberId> votedFor,
        long commitIndex,
        long lastApplied,
        long lastIndex,
        MemberStatus status) {
    /** Captures {@code core}'s state now. */
    public static MemberState of(GroupProtocol core) {
        return new MemberState(
                core.role(),
                core.term(),
                core.votedFor(),
                core.commitIndex(),
                core.lastApplied(),
                core.log().lastIndex(),
                core.status());
    }
}
