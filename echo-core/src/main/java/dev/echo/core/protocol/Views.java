package dev.echo.core.protocol;

import dev.echo.core.View;
import java.util.ArrayList;
import java.util.List;

/**
 * The application's {@link View} of a protocol configuration: ids, weights, ranks and addresses; incarnations stay
 * inside the protocol. Used where a view is handed out, by the core (the state machine's view hook) and by the
 * runtime (listeners, membership policy). Stateless.
 */
public final class Views {
    private Views() {}

    /** The view of {@code system} in force from log index {@code epoch}; a joint one shows the configuration it goes to. */
    public static View of(QuorumSystem system, long epoch) {
        Configuration configuration =
                system instanceof JointConfiguration joint ? joint.next() : (Configuration) system;
        return new View(
                members(configuration.voters()),
                configuration.learners(),
                members(configuration.suspended()),
                epoch,
                configuration.addresses());
    }

    private static List<View.Member> members(List<Voter> voters) {
        List<View.Member> members = new ArrayList<>(voters.size());
        for (Voter voter : voters) {
            members.add(new View.Member(voter.id(), voter.weight()));
        }
        return members;
    }
}
