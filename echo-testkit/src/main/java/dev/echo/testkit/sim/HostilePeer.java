package dev.echo.testkit.sim;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Domains;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Multicast;
import dev.echo.core.protocol.Voter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@link Fault#HOSTILE} fault's sender (PROTOCOL.md §10): well-formed messages with random fields, of every kind
 * there is: votes, appends, hand-overs, forwarded commands, read rounds, membership requests and answers, snapshot
 * chunks and their answers, and multicasts (sends to the sequencer, sequenced data, acknowledgements and reports, in
 * the views' epochs and sequences a run uses: small numbers). Half come from
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

    /**
     * A message of a kind drawn from every kind there is: the switch has no default, so a new kind does not compile
     * until the hostile peer can forge it (docs/architecture.md, "Adding a message kind").
     */
    private Message message(MemberId from, long term, boolean aboutItself) {
        long small = 1 + random.nextLong(Math.max(1, Math.min(term, 64)));
        long index = random.nextBoolean() ? small : inDomain();
        Message.Kind[] kinds = Message.Kind.values();
        return switch (kinds[random.nextInt(kinds.length)]) {
            case TIMEOUT_NOW -> new Message.TimeoutNow(from, term);
            case VOTE_REQUEST ->
                new Message.VoteRequest(from, term, index, Math.min(small, term), random.nextBoolean());
            case PRE_VOTE_REQUEST -> new Message.PreVoteRequest(from, term, index, Math.min(small, term - 1));
            case VOTE_RESPONSE -> new Message.VoteResponse(from, term, true);
            case PRE_VOTE_RESPONSE -> new Message.PreVoteResponse(from, term, random.nextBoolean());
            case APPEND_REQUEST -> append(from, term, index);
            case APPEND_RESPONSE ->
                new Message.AppendResponse(from, term, random.nextBoolean(), index, small, small, inDomain());
            case FORWARD_REQUEST ->
                new Message.ForwardRequest(
                        from, term, new Entry.Command(small, small, small - 1, new byte[] {(byte) random.nextInt()}));
            case READ_INDEX_REQUEST -> new Message.ReadIndexRequest(from, term, small);
            case READ_INDEX_RESPONSE -> new Message.ReadIndexResponse(from, term, small, index);
            case MEMBERSHIP_REQUEST ->
                new Message.MembershipRequest(from, term, random.nextLong(), change(from, aboutItself));
            case MEMBERSHIP_RESPONSE -> {
                Message.MembershipResult[] results = Message.MembershipResult.values();
                yield new Message.MembershipResponse(from, term, small, results[random.nextInt(results.length)], index);
            }
            case INSTALL_SNAPSHOT -> snapshotChunk(from, term, index);
            case INSTALL_SNAPSHOT_RESPONSE ->
                new Message.InstallSnapshotResponse(from, term, index, small, random.nextBoolean());
            case MULTICAST_SEND -> new Message.MulticastSend(from, term, small, multicasts(from, 0));
            case MULTICAST_DATA -> new Message.MulticastData(from, term, small, small, multicasts(from, small));
            case MULTICAST_ACK ->
                new Message.MulticastAck(
                        from, term, small, random.nextInt(3), true, small, small, multicasts(from, small));
            case MULTICAST_REPORT_REQUEST -> new Message.MulticastReportRequest(from, term, small);
        };
    }

    /**
     * A chunk of a snapshot up to {@code index} whose configuration makes the forger its only voter: installed, it
     * would hand the group to whoever sent it.
     */
    private Message.InstallSnapshot snapshotChunk(MemberId from, long term, long index) {
        long last = Math.max(1, index);
        Configuration forgersOwn = Configuration.ofVoters(List.of(new Voter(from, 1, 0)));
        byte[] data = new byte[random.nextInt(64)];
        random.nextBytes(data);
        return new Message.InstallSnapshot(
                from, term, last, Math.max(1, term), forgersOwn, last, 0, data, random.nextBoolean());
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
