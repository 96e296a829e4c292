package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The joint configuration J(old, next) of PROTOCOL.md §2–3: a set is a quorum iff it is a quorum of {@code old} and
 * a quorum of {@code next}, each judged with its own top. Every voting change passes through one. Immutable.
 *
 * @param old the configuration being left
 * @param next the configuration being entered
 */
public record JointConfiguration(Configuration old, Configuration next) implements QuorumSystem {
    /** Validates both halves are present. */
    public JointConfiguration {
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(next, "next");
    }

    @Override
    public boolean isQuorumOf(VoterTest inSet) {
        return old.isQuorumOf(inSet) && next.isQuorumOf(inSet);
    }

    @Override
    public boolean isVoter(MemberId id) {
        return old.isVoter(id) || next.isVoter(id);
    }

    @Override
    public boolean isVoterAs(MemberId id, long incarnation) {
        return old.isVoterAs(id, incarnation) || next.isVoterAs(id, incarnation);
    }

    @Override
    public SortedSet<MemberId> members() {
        SortedSet<MemberId> all = new TreeSet<>(old.members());
        all.addAll(next.members());
        return Collections.unmodifiableSortedSet(all);
    }
}
