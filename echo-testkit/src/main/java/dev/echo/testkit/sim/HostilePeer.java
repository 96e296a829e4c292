package dev.echo.testkit.sim;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Domains;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Multicast;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@link Fault#HOSTILE} fault's sender (PROTOCOL.md §10): well-formed messages with random fields, of every kind
 * that could change durable state (votes, appends, hand-overs, membership requests, snapshot chunks) or deliver a
 * multicast (sends to the sequencer, sequenced data, acknowledgements and reports, in the views' epochs and
 * sequences a run uses: small numbers). Half come from
 * {@link #INTRUDER}, a peer in no configuration that the transport did not authenticate (an intruder on a plain
 * connection); their terms reach the top of the domain. The other half carry a real member's identity but a term or
 * incarnation outside the domain (a buggy or corrupted member). Neither may change anything a member keeps;
 * {@code dev.echo.testkit.check.HostileInputChangesNothing} checks that after every step. Not thread-safe.
 */
final class HostilePeer {
    /** The intruder's identity: never a simulated member's. */
    static final MemberId INTRUDER = MemberId.of("intruder");

    private final SplittableRandom random;

    HostilePeer(SplittableRandom random) {
        this.random = random;
    }

    /** One hostile input for a member of a group whose members include {@code members}. */
    Input.Receive next(List<MemberId> members) {
        if (random.nextBoolean()) {
            return new Input.Receive(message(INTRUDER, term(), random.nextBoolean()), incarnation(), false);
        }
        MemberId impostor = members.get(random.nextInt(members.size()));
        if (random.nextBoolean()) {
            return new Input.Receive(message(impostor, outOfDomain(), false), 0, true);
        }
        long incarnation = Domains.LIMIT + random.nextLong(Long.MAX_VALUE - Domains.LIMIT);
        return new Input.Receive(message(impostor, term(), false), incarnation, true);
    }

    private Message message(MemberId from, long term, boolean aboutItself) {
        long small = 1 + random.nextLong(Math.max(1, Math.min(term, 64)));
        long index = random.nextBoolean() ? small : inDomain();
        return switch (random.nextInt(12)) {
            case 0 -> new Message.TimeoutNow(from, term);
            case 1 -> new Message.VoteRequest(from, term, index, Math.min(small, term), random.nextBoolean());
            case 2 -> new Message.PreVoteRequest(from, term, index, Math.min(small, term - 1));
            case 3 -> new Message.VoteResponse(from, term, true);
            case 4 -> new Message.PreVoteResponse(from, term, random.nextBoolean());
            case 5 -> new Message.AppendResponse(from, term, random.nextBoolean(), index, small, small, inDomain());
            case 6 -> new Message.MembershipRequest(from, term, random.nextLong(), change(from, aboutItself));
            case 7 -> new Message.MulticastSend(from, term, small, multicasts(from, 0));
            case 8 -> new Message.MulticastData(from, term, small, small, multicasts(from, small));
            case 9 ->
                new Message.MulticastAck(
                        from, term, small, random.nextInt(3), true, small, small, multicasts(from, small));
            case 10 -> new Message.MulticastReportRequest(from, term, small);
            default -> append(from, term, index);
        };
    }

    private Message.AppendRequest append(MemberId from, long term, long prevIndex) {
        long entryTerm = Math.max(1, term);
        List<Entry> entries = new ArrayList<>();
        int count = random.nextInt(4);
        for (int i = 1; i <= count && prevIndex + i < Domains.LIMIT; i++) {
            entries.add(new Entry(prevIndex + i, entryTerm, new Entry.NoOp()));
        }
        long prevTerm = prevIndex == 0 ? 0 : Math.min(entryTerm, 1 + random.nextLong(entryTerm));
        return new Message.AppendRequest(from, term, prevIndex, prevTerm, entries, inDomain(), 0);
    }

    /** One to three multicasts from {@code sender}, sequenced from {@code firstSequence} (0: unsequenced). */
    private List<Multicast> multicasts(MemberId sender, long firstSequence) {
        List<Multicast> multicasts = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            long sequence = firstSequence == 0 ? 0 : firstSequence + i;
            multicasts.add(new Multicast(sequence, sender, 1 + i, new byte[] {(byte) random.nextInt()}));
        }
        return multicasts;
    }

    private MembershipChange change(MemberId from, boolean aboutItself) {
        if (aboutItself) { // what a stranger may ask, once authenticated: to join, or to leave
            return random.nextBoolean() ? new MembershipChange.AddLearner(from) : new MembershipChange.Remove(from);
        }
        return new MembershipChange.MakeTop(from);
    }

    /** A term in the domain, often at its very top, where {@code term + 1} would once have overflowed. */
    private long term() {
        return switch (random.nextInt(3)) {
            case 0 -> Domains.LIMIT - 1;
            case 1 -> 1 + random.nextLong(64);
            default -> 1 + random.nextLong(Domains.LIMIT - 1);
        };
    }

    private long inDomain() {
        return random.nextLong(Domains.LIMIT);
    }

    private long incarnation() {
        return random.nextInt(3);
    }

    private long outOfDomain() {
        return random.nextBoolean() ? Long.MAX_VALUE : Domains.LIMIT + random.nextLong(Long.MAX_VALUE - Domains.LIMIT);
    }
}
