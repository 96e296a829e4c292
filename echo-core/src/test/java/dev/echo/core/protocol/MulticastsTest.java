package dev.echo.core.protocol;

import static dev.echo.core.protocol.GroupProtocolTest.A;
import static dev.echo.core.protocol.GroupProtocolTest.B;
import static dev.echo.core.protocol.GroupProtocolTest.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.protocol.GroupProtocolTest.Driver;
import dev.echo.core.protocol.GroupProtocolTest.EchoMachine;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Step-level tests of view-synchronous multicast (PROTOCOL.md §13). */
class MulticastsTest {
    static final long B_LIFE = 7;

    /** Leader a, the group's only voter, sequences a view it shares with learner b. */
    static final class SequencerWithOneParticipant {
        final Driver a = new Driver(new GroupProtocol(
                A,
                0,
                Configuration.ofVoters(List.of(new Voter(A, 1))).withLearner(B),
                GroupProtocolTest.OPTIONS.withMulticast(MulticastPolicy.on(1000)),
                RecoveredState.EMPTY,
                new EchoMachine(),
                42));
        long epoch;

        SequencerWithOneParticipant() {
            a.member.drainOutputs();
            a.tickUntilLeader();
            // a sequenced no view: it asks every member where it stands before its first cut.
            Message.MulticastReportRequest request = null;
            for (int i = 0; i < 100 && request == null; i++) {
                for (Output.Send send : only(a.run(new Input.Tick()), Output.Send.class)) {
                    if (send.message() instanceof Message.MulticastReportRequest asked) {
                        request = asked;
                    }
                }
            }
            assertTrue(request != null, "the leader asks b for its report");
            a.run(new Input.Receive(
                    new Message.MulticastAck(B, request.term(), 0, B_LIFE, false, 0, request.upTo(), List.of())));
            for (int i = 0; i < 100 && epoch == 0; i++) {
                for (Output.MulticastViewInstalled view :
                        only(a.run(new Input.Tick()), Output.MulticastViewInstalled.class)) {
                    assertTrue(view.participating());
                    assertEquals(List.of(A, B), view.members());
                    epoch = view.epoch();
                }
            }
            assertTrue(epoch > 0, "a installs a view with b");
        }

        List<Output> fromB(long senderSequence, String payload) {
            Multicast multicast = new Multicast(0, B, senderSequence, payload.getBytes(StandardCharsets.UTF_8));
            return a.run(new Input.Receive(new Message.MulticastSend(B, a.member.term(), epoch, List.of(multicast))));
        }
    }

    /**
     * §13: a member that answered a new leader's report request delivers nothing more in its view, so its report
     * bounds what it delivers until the new leader's cut. That holds for the view's sequencer too, which may still
     * take itself for the leader of an older term: it neither orders nor delivers another multicast (whole-node
     * simulator seed 6145, where the old sequencer delivered one multicast beyond its report and the cut).
     */
    @org.junit.jupiter.api.Test
    void aSequencerThatReportedToANewLeaderDeliversNothingMore() {
        SequencerWithOneParticipant group = new SequencerWithOneParticipant();
        assertEquals(
                1,
                only(group.fromB(1, "before"), Output.MulticastDelivered.class).size());

        List<Output> answered =
                group.a.run(new Input.Receive(new Message.MulticastReportRequest(B, group.a.member.term() + 1, 1_000)));
        Message.MulticastAck report =
                (Message.MulticastAck) only(answered, Output.Send.class).get(0).message();
        assertEquals(1, report.delivered());

        List<Output> after = group.fromB(2, "after");
        assertEquals(List.of(), only(after, Output.MulticastDelivered.class));
        assertEquals(List.of(), only(after, Output.Send.class), "nothing ordered for the others either");
    }
}
