package dev.echo.testkit.check;

import dev.echo.core.protocol.Domains;
import dev.echo.core.protocol.Input;

/**
 * PROTOCOL.md §10: a message from an unauthenticated sender in no configuration, or one whose term or incarnation is
 * outside its domain, changes nothing at the member that receives it: not its term, vote, log, commit, role or
 * status, and it makes the member neither write nor send. The simulator's own members are always authenticated and in
 * their domains, so exactly the hostile inputs ({@code Fault.HOSTILE}) are judged here; a forged append from an
 * authenticated stranger is outside the model (the cluster key or certificate is what keeps strangers out).
 *
 * <p>Stateless, so thread-safe; the simulation calls it on its one thread.
 */
public final class HostileInputChangesNothing implements Invariant {
    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        if (!(step.input() instanceof Input.Receive receive) || !hostile(receive)) {
            return;
        }
        if (!step.before().equals(step.after()) || !step.outputs().isEmpty()) {
            throw new InvariantViolation(
                    "§10 strangers change no durable state",
                    step.node().id() + " acted on hostile input " + receive.message() + " (incarnation "
                            + receive.incarnation() + ", authenticated " + receive.authenticated() + "): "
                            + step.before() + " -> " + step.after() + ", outputs " + step.outputs());
        }
    }

    /** Whether {@code receive} is one of the simulator's hostile inputs, which no other checker should count. */
    static boolean hostile(Input.Receive receive) {
        return !receive.authenticated()
                || !Domains.contains(receive.message().term())
                || !Domains.contains(receive.incarnation());
    }
}
