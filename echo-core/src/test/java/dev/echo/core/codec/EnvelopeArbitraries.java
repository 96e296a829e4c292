package dev.echo.core.codec;

import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Domains;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.JointConfiguration;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Multicast;
import dev.echo.core.protocol.Participant;
import dev.echo.core.protocol.QuorumSystem;
import dev.echo.core.protocol.Voter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators for every message type, with values across their whole valid range. */
final class EnvelopeArbitraries {
    static final int MAX_COMMAND = 512;
    static final int MAX_ENTRIES = 16;

    private EnvelopeArbitraries() {}

    static Arbitrary<Envelope> envelopes() {
        return Combinators.combine(names(), inDomain(0), messages()).as(Envelope::new);
    }

    static Arbitrary<Message> messages() {
        List<Arbitrary<? extends Message>> everyKind = new ArrayList<>();
        for (Message.Kind kind : Message.Kind.values()) {
            everyKind.add(messages(kind));
        }
        return Arbitraries.oneOf(everyKind);
    }

    /**
     * Messages of {@code kind}. The switch has no default, so a new kind does not compile until it is generated here
     * (docs/architecture.md, "Adding a message kind").
     */
    private static Arbitrary<? extends Message> messages(Message.Kind kind) {
        Arbitrary<MemberId> from = names().map(MemberId::of);
        Arbitrary<Long> term = inDomain(1);
        Arbitrary<Long> index = inDomain(0);
        Arbitrary<Boolean> flag = Arbitraries.of(true, false);
        return switch (kind) {
            case PRE_VOTE_REQUEST ->
                Combinators.combine(from, term, index, index).as(Message.PreVoteRequest::new);
            case PRE_VOTE_RESPONSE -> Combinators.combine(from, term, flag).as(Message.PreVoteResponse::new);
            case VOTE_REQUEST ->
                Combinators.combine(from, term, index, index, flag).as(Message.VoteRequest::new);
            case VOTE_RESPONSE -> Combinators.combine(from, term, flag).as(Message.VoteResponse::new);
            case APPEND_REQUEST ->
                Combinators.combine(from, term, index, index, entryLists(), index, index)
                        .as(Message.AppendRequest::new);
            case APPEND_RESPONSE ->
                Combinators.combine(from, term, flag, index, index, index, index)
                        .as(Message.AppendResponse::new);
            case TIMEOUT_NOW -> Combinators.combine(from, term).as(Message.TimeoutNow::new);
            case FORWARD_REQUEST -> Combinators.combine(from, term, payloads()).as(Message.ForwardRequest::new);
            case READ_INDEX_REQUEST ->
                Combinators.combine(from, term, Arbitraries.longs()).as(Message.ReadIndexRequest::new);
            case READ_INDEX_RESPONSE ->
                Combinators.combine(from, term, Arbitraries.longs(), index).as(Message.ReadIndexResponse::new);
            case MEMBERSHIP_REQUEST ->
                Combinators.combine(from, term, Arbitraries.longs(), changes()).as(Message.MembershipRequest::new);
            case MEMBERSHIP_RESPONSE ->
                Combinators.combine(
                                from, term, Arbitraries.longs(), Arbitraries.of(Message.MembershipResult.class), index)
                        .as(Message.MembershipResponse::new);
            case INSTALL_SNAPSHOT -> snapshotChunks(from, term);
            case INSTALL_SNAPSHOT_RESPONSE ->
                Combinators.combine(from, term, inDomain(1), index, flag).as(Message.InstallSnapshotResponse::new);
            case MULTICAST_SEND ->
                Combinators.combine(from, term, index, multicasts()).as(Message.MulticastSend::new);
            case MULTICAST_DATA ->
                Combinators.combine(from, term, index, index, multicasts()).as(Message.MulticastData::new);
            case MULTICAST_ACK ->
                Combinators.combine(from, term, index, Arbitraries.longs(), flag, index, index, multicasts())
                        .as(Message.MulticastAck::new);
            case MULTICAST_REPORT_REQUEST ->
                Combinators.combine(from, term, index).as(Message.MulticastReportRequest::new);
        };
    }

    /** Multicasts (PROTOCOL.md §13), numbered consecutively from a drawn first place (0: unsequenced). */
    static Arbitrary<List<Multicast>> multicasts() {
        Arbitrary<Multicast> one = Combinators.combine(
                        names().map(MemberId::of),
                        inDomain(1),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_COMMAND))
                .as((sender, senderSequence, payload) -> new Multicast(0, sender, senderSequence, payload));
        return Combinators.combine(
                        Arbitraries.longs().between(0, Domains.LIMIT / 2),
                        one.list().ofMaxSize(8))
                .as((first, list) -> {
                    List<Multicast> numbered = new ArrayList<>();
                    for (int i = 0; i < list.size(); i++) {
                        Multicast m = list.get(i);
                        numbered.add(
                                new Multicast(first == 0 ? 0 : first + i, m.sender(), m.senderSequence(), m.payload()));
                    }
                    return numbered;
                });
    }

    private static Arbitrary<Entry.ViewCut> viewCuts() {
        Arbitrary<Participant> participant = Combinators.combine(names().map(MemberId::of), Arbitraries.longs())
                .as(Participant::new);
        return Combinators.combine(
                        inDomain(0),
                        names().map(MemberId::of),
                        participant.list().ofMaxSize(6),
                        multicasts()
                                .filter(list -> list.isEmpty() || list.get(0).sequence() > 0))
                .as((ended, sequencer, participants, tail) -> new Entry.ViewCut(
                        ended,
                        tail.isEmpty() ? ended / 2 : tail.get(tail.size() - 1).sequence(),
                        sequencer,
                        participants,
                        tail));
    }

    private static Arbitrary<Message> snapshotChunks(Arbitrary<MemberId> from, Arbitrary<Long> term) {
        return Combinators.combine(
                        from,
                        term,
                        inDomain(1),
                        inDomain(0),
                        configurations(),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_COMMAND),
                        Arbitraries.of(true, false))
                .as((sender, leaderTerm, index, offset, configuration, data, last) -> new Message.InstallSnapshot(
                        sender,
                        leaderTerm,
                        index,
                        Math.max(1, leaderTerm / 2),
                        configuration,
                        index / 3,
                        offset,
                        data,
                        last));
    }

    private static Arbitrary<MembershipChange> changes() {
        Arbitrary<MembershipChange.Single> single = singleEdits();
        return Arbitraries.oneOf(List.of(
                single.map(edit -> edit),
                single.list()
                        .ofMinSize(1)
                        .ofMaxSize(MembershipChange.Together.MAX_EDITS)
                        .map(MembershipChange.Together::new)));
    }

    private static Arbitrary<MembershipChange.Single> singleEdits() {
        Arbitrary<MemberId> member = names().map(MemberId::of);
        return Arbitraries.oneOf(List.of(
                Combinators.combine(member, Arbitraries.integers().between(1, Voter.MAX_WEIGHT))
                        .as(MembershipChange.AddVoter::new),
                member.map(MembershipChange.AddLearner::new),
                Combinators.combine(member, addresses())
                        .as((joiner, address) -> new MembershipChange.AddLearner(joiner, Optional.of(address))),
                Combinators.combine(member, member)
                        .filter((joiner, replaced) -> !joiner.equals(replaced))
                        .as(MembershipChange.Replace::new),
                member.map(MembershipChange.Remove::new),
                member.map(MembershipChange.MakeTop::new)));
    }

    /** Members' addresses (PROTOCOL.md §8): one to four endpoints, IPv6 and names included, some metadata. */
    static Arbitrary<MemberAddress> addresses() {
        Arbitrary<PeerAddress> endpoint = Combinators.combine(
                        Arbitraries.of("127.0.0.1", "::1", "node-7.example.org", "xn--9ca.example"),
                        Arbitraries.integers().between(1, 65535))
                .as(PeerAddress::new);
        return Combinators.combine(
                        endpoint.list().ofMinSize(1).ofMaxSize(MemberAddress.MAX_ENDPOINTS),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(MemberAddress.MAX_METADATA_BYTES))
                .as(MemberAddress::new);
    }

    /** Terms, indexes, incarnations and sequences across their whole domain (PROTOCOL.md §10), edges included. */
    static Arbitrary<Long> inDomain(long min) {
        return Arbitraries.longs()
                .between(min, Domains.LIMIT - 1)
                .edgeCases(edges -> edges.includeOnly(min, Domains.LIMIT - 1));
    }

    static Arbitrary<String> names() {
        return Arbitraries.strings()
                .withChars("abcxyzABZ0189._-")
                .ofMinLength(1)
                .ofMaxLength(MemberId.MAX_LENGTH);
    }

    private static Arbitrary<List<Entry>> entryLists() {
        return Combinators.combine(
                        Arbitraries.longs().between(1, Domains.LIMIT / 2),
                        inDomain(1),
                        payloads().list().ofMaxSize(MAX_ENTRIES))
                .as((first, term, payloads) -> {
                    List<Entry> entries = new ArrayList<>();
                    for (int i = 0; i < payloads.size(); i++) {
                        entries.add(new Entry(first + i, term, payloads.get(i)));
                    }
                    return entries;
                });
    }

    private static Arbitrary<Entry.Payload> payloads() {
        Arbitrary<Entry.Payload> command = Combinators.combine(
                        Arbitraries.longs(),
                        inDomain(1),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_COMMAND))
                .as((client, sequence, bytes) -> new Entry.Command(client, sequence, sequence - 1, bytes));
        return Arbitraries.oneOf(List.of(
                Arbitraries.just(new Entry.NoOp()),
                Arbitraries.longs().map(Entry.OpenSession::new),
                command,
                configurations().map(Entry.ConfigurationChange::new),
                viewCuts().map(cut -> cut)));
    }

    private static Arbitrary<QuorumSystem> configurations() {
        Arbitrary<Configuration> single = Arbitraries.integers().between(1, 6).flatMap(voters -> Arbitraries.integers()
                .between(1, Voter.MAX_WEIGHT)
                .list()
                .ofSize(voters)
                .map(weights -> {
                    List<Voter> list = new ArrayList<>();
                    for (int i = 0; i < weights.size(); i++) {
                        // Voters re-admitted after a wipe carry a later incarnation; derived so shrinking stays simple.
                        long incarnation = weights.get(i) % 3 == 0 ? 0 : (long) weights.get(i) << 20;
                        list.add(new Voter(MemberId.of("m" + i), weights.get(i), incarnation));
                    }
                    TreeSet<MemberId> learners = new TreeSet<>();
                    for (int i = 0; i < weights.get(0) % 4; i++) {
                        learners.add(MemberId.of("learner" + i));
                    }
                    Configuration configuration = new Configuration(list, learners);
                    // Dynamic voting suspends voters below the top now and then: the nominal list travels too.
                    int suspend = weights.get(weights.size() - 1) % weights.size();
                    if (suspend != 0) {
                        configuration = configuration.suspending(
                                Set.of(list.get(suspend).id()));
                    }
                    // Some record members' addresses (PROTOCOL.md §8), some (older journals) none.
                    if (weights.get(0) % 5 < 2) {
                        for (MemberId member : configuration.members()) {
                            int port = 1 + (member.hashCode() & 0x7FFF);
                            configuration = configuration.withAddress(
                                    member,
                                    MemberAddress.of(
                                            new PeerAddress("10.0.0." + (port % 250), port),
                                            member.value().getBytes(StandardCharsets.UTF_8)));
                        }
                    }
                    return configuration;
                }));
        return Arbitraries.oneOf(List.of(
                single.map(c -> (QuorumSystem) c),
                Combinators.combine(single, single).as(JointConfiguration::new)));
    }
}
