package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import dev.echo.core.View;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * View-synchronous multicast beside the log (PROTOCOL.md §13), at one member: its part in the multicast view it
 * installed, its own sends, and, while it leads, the sequencer of its view and the cuts that end views.
 *
 * <p>How it holds together:
 * <ul>
 *   <li>A multicast view is installed by an {@link Entry.ViewCut} in the log; its epoch is the entry's index, so every
 *       member installs the same views in the same order, among the commands. Its participants are member lives
 *       ({@link Participant}): a member that restarts lost what it delivered and is a new participant.
 *   <li>The leader that appended the cut sequences the view: members send to it, it numbers each multicast and sends
 *       it to every participant, which delivers in that order. One sequencer gives one total order; FIFO and causal
 *       order follow from it (a sender's multicasts are taken in its order, without gaps).
 *   <li>A view ends with a cut in the log. The sequencer's own cut names the last multicast and carries the ones not
 *       yet known held by every continuing participant. A new leader cannot know what the old sequencer sent, so it
 *       asks every member; a member that answers delivers nothing more in that view, so the answers bound what any
 *       participant delivered, and the cut carries what some lack. A participant that does not answer in time is left
 *       out of the next view, and asks to be let back in.
 * </ul>
 * So every participant that installs the next view has delivered the same multicasts of the previous one, all before
 * the next view is reported to it; a member that crashed, or was left out, may have delivered fewer.
 *
 * <p>Threading: not thread-safe; owned by one {@link GroupProtocol}.
 */
final class Multicasts {
    private final MemberState state;
    private final Outbox outbox;
    private final MulticastPolicy policy;
    /** Most bytes of multicasts of a view not yet known stable: the policy's, within half an append. */
    private final int unstableBudget;
    /** This life of this member: drawn afresh at every start, so a restarted member is a new participant. */
    private final long life;

    // The multicast view this member installed.
    private long epoch;
    private Optional<MemberId> sequencer = Optional.empty();
    private List<Participant> participants = List.of();
    private boolean participating;
    /** Reported on to a new leader: nothing more is delivered in this view, except the tail of its cut. */
    private boolean frozen;

    private long delivered;
    private long stable;
    /** Multicasts that arrived before the one next in order (rare on a stream transport). */
    private final TreeMap<Long, Multicast> early = new TreeMap<>();
    /** Delivered multicasts not yet known stable: what a report or a cut may need. */
    private final ArrayDeque<Multicast> held = new ArrayDeque<>();
    /** Only for the mutant that delivers on arrival: what it delivered, whatever the order. */
    private final Set<Long> deliveredOnArrival = new TreeSet<>();
    /** A view installed at or below this index was reported on already: this member does not take part in it. */
    private long reportedUpTo = -1;

    // This member's own multicasts in the installed view, by sender sequence, until it delivers them itself.
    private long nextSenderSequence = 1;
    /** In sender order, which is the order this member delivers them in (FIFO). */
    private final ArrayDeque<PendingSend> unconfirmed = new ArrayDeque<>();

    private long unconfirmedBytes;
    private final List<Multicast> toSend = new ArrayList<>();
    private final ArrayDeque<long[]> flushes = new ArrayDeque<>();
    private int ticks;

    // While leading.
    private MulticastSequencer sequencing;
    /** Index of this leader's cut that is not applied yet; 0 if none. */
    private long cutInFlight;
    /** The {@code upTo} of the reports this leader collects; -1 if none. */
    private long reportsFor = -1;

    private int reportTicks;
    private final TreeMap<MemberId, Message.MulticastAck> reports = new TreeMap<>();
    /** Members outside the view that asked to be let in: id → life. */
    private final TreeMap<MemberId, Long> outsiders = new TreeMap<>();

    /** One of this member's multicasts until it delivers it, with the tick it was last sent at. */
    private static final class PendingSend {
        final long requestId;
        final Multicast multicast;
        long sentAt;

        PendingSend(long requestId, Multicast multicast, long sentAt) {
            this.requestId = requestId;
            this.multicast = multicast;
            this.sentAt = sentAt;
        }
    }

    Multicasts(MemberState state, Outbox outbox, long seed) {
        this.state = state;
        this.outbox = outbox;
        this.policy = state.options.multicast();
        // The unstable multicasts of a view may all end up in its cut's tail, one log entry, which must fit one
        // append the transport can carry.
        this.unstableBudget = Math.min(policy.maxUnstableBytes(), state.options.maxAppendBytes() / 2);
        long mixed = seed * 0x9E3779B97F4A7C15L;
        mixed ^= mixed >>> 31;
        mixed *= 0xBF58476D1CE4E5B9L;
        this.life = mixed ^ (mixed >>> 29);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The application's calls.

    void send(Input.SendMulticast request) {
        Optional<Output.MulticastFailure> refusal = refusal(request.payload());
        if (refusal.isPresent()) {
            outbox.add(new Output.MulticastCompleted(request.requestId(), refusal));
            return;
        }
        Multicast multicast = new Multicast(0, state.self, nextSenderSequence++, request.payload());
        unconfirmed.add(new PendingSend(request.requestId(), multicast, ticks));
        unconfirmedBytes += multicast.sizeBytes();
        toSend.add(multicast);
    }

    private Optional<Output.MulticastFailure> refusal(byte[] payload) {
        if (!policy.enabled()) {
            return Optional.of(Output.MulticastFailure.DISABLED);
        }
        if (payload.length > Math.min(policy.maxPayloadBytes(), unstableBudget / 4)) {
            return Optional.of(Output.MulticastFailure.TOO_LARGE);
        }
        if (!participating || frozen) {
            return Optional.of(Output.MulticastFailure.NOT_IN_VIEW);
        }
        if (unconfirmed.size() >= policy.maxUnstableMulticasts()
                || unconfirmedBytes + 32 + payload.length > unstableBudget) {
            return Optional.of(Output.MulticastFailure.OVERLOADED);
        }
        return Optional.empty();
    }

    void flush(long flushId) {
        if (!participating || frozen) {
            outbox.add(new Output.FlushCompleted(flushId, true)); // no view, or one being cut: moot
        } else if (stable >= delivered) {
            outbox.add(new Output.FlushCompleted(flushId, false));
        } else {
            flushes.add(new long[] {flushId, delivered});
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Messages.

    void onMessage(Message message) {
        if (!policy.enabled()) {
            state.counters.increment(ProtocolCounters.Counter.STALE_MULTICAST);
            return;
        }
        switch (message.kind()) {
            case MULTICAST_SEND -> onSend((Message.MulticastSend) message);
            case MULTICAST_DATA -> onData((Message.MulticastData) message);
            case MULTICAST_ACK -> onAck((Message.MulticastAck) message);
            case MULTICAST_REPORT_REQUEST -> onReportRequest((Message.MulticastReportRequest) message);
            default -> throw new IllegalArgumentException("not a multicast message: " + message.kind());
        }
    }

    /**
     * At the sequencer: a member's multicasts to order. A sequencer that reported to a newer leader orders nothing more:
     * its view is being cut from the reports, and what it ordered now it could not deliver itself.
     */
    private void onSend(Message.MulticastSend send) {
        if (sequencing == null
                || frozen
                || send.epoch() != sequencing.epoch()
                || !sequencing.hasParticipant(send.from())) {
            state.counters.increment(ProtocolCounters.Counter.STALE_MULTICAST);
            return;
        }
        sequencing.order(send.from(), send.multicasts());
    }

    /** At a participant: ordered multicasts from the view's sequencer. */
    private void onData(Message.MulticastData data) {
        if (!participating || frozen || data.epoch() != epoch || !sequencer.equals(Optional.of(data.from()))) {
            state.counters.increment(ProtocolCounters.Counter.STALE_MULTICAST);
            return;
        }
        long before = delivered;
        receive(data.multicasts());
        stableAt(Math.min(data.stable(), delivered));
        if (delivered > before) {
            outbox.send(data.from(), ack());
        }
    }

    private void onAck(Message.MulticastAck ack) {
        if (ack.answering() != 0) {
            if (state.isLeader() && ack.answering() == reportsFor) {
                reports.put(ack.from(), ack);
            }
            return;
        }
        if (sequencing != null
                && ack.participant()
                && ack.epoch() == sequencing.epoch()
                && sequencing.hasParticipant(ack.from(), ack.life())) {
            acknowledged(ack.from(), ack.delivered());
        } else if (!ack.participant() && state.isLeader() && state.isMember(ack.from())) {
            outsiders.put(ack.from(), ack.life()); // let in at the next cut
        } else {
            state.counters.increment(ProtocolCounters.Counter.STALE_MULTICAST);
        }
    }

    /**
     * A new leader asks where this member stands: from now on it delivers nothing more in its view, nor takes part in
     * a view it installs up to {@code upTo}, so what it reports bounds what it delivers until the leader's cut.
     */
    private void onReportRequest(Message.MulticastReportRequest request) {
        if (request.term() < state.term) {
            state.counters.increment(ProtocolCounters.Counter.STALE_TERM);
            return;
        }
        outbox.send(request.from(), report(request.upTo()));
    }

    private Message.MulticastAck report(long upTo) {
        reportedUpTo = Math.max(reportedUpTo, upTo);
        if (participating) {
            frozen = state.rules.freezeOnReport();
            // Every held multicast came in data whose stable point this member took in, and what lies between a
            // sequencer's stable point and its last is within its budget: so the report fits one message, the budget
            // being at most half an append, which the runtime keeps within the transport's limit (UDP's datagram too).
            MemberState.check(
                    heldBytes() <= unstableBudget || !state.rules.deliverMulticastsInOrder(),
                    "§13 the multicasts a report carries fit the sequencer's budget");
            return new Message.MulticastAck(
                    state.self, state.term, epoch, life, true, delivered, upTo, List.copyOf(held));
        }
        return new Message.MulticastAck(state.self, state.term, epoch, life, false, 0, upTo, List.of());
    }

    private int heldBytes() {
        int bytes = 0;
        for (Multicast multicast : held) {
            bytes += multicast.sizeBytes();
        }
        return bytes;
    }

    private Message.MulticastAck ack() {
        return new Message.MulticastAck(state.self, state.term, epoch, life, participating, delivered, 0, List.of());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Delivery at this member.

    /** Takes in ordered multicasts of the installed view and delivers every one that is next in order. */
    private void receive(List<Multicast> ordered) {
        if (!state.rules.deliverMulticastsInOrder()) { // a mutant: whatever arrives first goes first
            for (Multicast multicast : ordered) {
                if (multicast.sequence() > stable && deliveredOnArrival.add(multicast.sequence())) {
                    delivered = Math.max(delivered, multicast.sequence() - 1);
                    deliver(multicast);
                }
            }
            return;
        }
        for (Multicast multicast : ordered) {
            if (multicast.sequence() == delivered + 1 && early.isEmpty()) {
                deliver(multicast); // the usual case: in order
            } else if (multicast.sequence() > delivered) {
                early.put(multicast.sequence(), multicast);
            }
        }
        for (Multicast next = early.remove(delivered + 1); next != null; next = early.remove(delivered + 1)) {
            deliver(next);
        }
        if (sequencing != null && sequencing.epoch() == epoch) {
            acknowledged(state.self, delivered);
        }
    }

    private void deliver(Multicast multicast) {
        MemberState.check(
                multicast.sequence() == delivered + 1 || !state.rules.deliverMulticastsInOrder(),
                "§13 multicasts are delivered in their view's order");
        delivered = Math.max(delivered, multicast.sequence());
        held.add(multicast);
        outbox.add(new Output.MulticastDelivered(epoch, multicast.sender(), multicast.payload()));
        if (multicast.sender().equals(state.self)) {
            PendingSend mine = takeUnconfirmed(multicast.senderSequence());
            if (mine != null) {
                unconfirmedBytes -= mine.multicast.sizeBytes();
                outbox.add(new Output.MulticastCompleted(mine.requestId, Optional.empty()));
            }
        }
    }

    /** The unconfirmed send with {@code senderSequence}: the first, unless a mutant reordered this sender. */
    private PendingSend takeUnconfirmed(long senderSequence) {
        PendingSend first = unconfirmed.peekFirst();
        if (first != null && first.multicast.senderSequence() == senderSequence) {
            return unconfirmed.pollFirst();
        }
        for (var it = unconfirmed.iterator(); it.hasNext(); ) {
            PendingSend pending = it.next();
            if (pending.multicast.senderSequence() == senderSequence) {
                it.remove();
                return pending;
            }
        }
        return null;
    }

    /** The sequencer heard that {@code member} delivered up to {@code upTo}; stability may move here too. */
    private void acknowledged(MemberId member, long upTo) {
        if (sequencing.acknowledged(member, upTo) && sequencing.epoch() == epoch) {
            stableAt(Math.min(sequencing.stable(), delivered));
        }
    }

    private void stableAt(long point) {
        if (point <= stable) {
            return;
        }
        stable = point;
        while (!held.isEmpty() && held.peekFirst().sequence() <= stable) {
            held.pollFirst();
        }
        while (!flushes.isEmpty() && flushes.peek()[1] <= stable) {
            outbox.add(new Output.FlushCompleted(flushes.poll()[0], false));
        }
    }

    /**
     * Applies a committed cut at its place in the log: ends the installed view (a continuing participant first
     * delivers everything up to the cut) and installs the next, whose epoch is {@code index}.
     */
    void cutApplied(long index, long term, Entry.ViewCut cut) {
        if (!policy.enabled()) {
            return;
        }
        Participant self = new Participant(state.self, life);
        boolean continuing = cut.participants().contains(self);
        boolean wasParticipating = participating;
        // A participant of another view than the one cut (its leader knew of no later one) leaves without a tail.
        boolean deliversCut = participating && epoch == cut.endedEpoch() && continuing;
        MemberState.check(
                !deliversCut || delivered <= cut.cutSequence() || !state.rules.freezeOnReport(),
                "§13 a continuing participant delivered nothing beyond the cut of its view");
        if (deliversCut && state.rules.deliverCutBeforeNextView()) {
            deliverUpTo(cut);
        } else if (deliversCut) { // a mutant: the ended view's tail is delivered as the next view's
            long ended = epoch;
            epoch = index;
            deliverUpTo(cut);
            epoch = ended;
        }
        endView(deliversCut);
        epoch = index;
        sequencer = Optional.of(cut.sequencer());
        participants = cut.participants();
        // A view this member reported on before installing it is one it delivers nothing in: it waits for the cut.
        participating = continuing && index > reportedUpTo && (!wasParticipating || deliversCut);
        frozen = false;
        if (participating || wasParticipating) {
            List<MemberId> members = new ArrayList<>(participants.size());
            participants.forEach(participant -> members.add(participant.id()));
            outbox.add(new Output.MulticastViewInstalled(epoch, members, participating));
        }
        if (index == cutInFlight) {
            cutInFlight = 0;
        }
        sequencing = null;
        if (state.isLeader() && term == state.term && cut.sequencer().equals(state.self)) {
            sequencing = new MulticastSequencer(state, outbox, unstableBudget, index, cut.participants());
        }
        if (participating && !cut.sequencer().equals(state.self)) {
            outbox.send(cut.sequencer(), ack()); // here: the sequencer may start sending
        }
    }

    /** Delivers every multicast of the ending view up to the cut: from what arrived early, or from the cut's tail. */
    private void deliverUpTo(Entry.ViewCut cut) {
        TreeMap<Long, Multicast> tail = new TreeMap<>();
        cut.tail().forEach(multicast -> tail.put(multicast.sequence(), multicast));
        while (delivered < cut.cutSequence()) {
            Multicast next = early.containsKey(delivered + 1) ? early.get(delivered + 1) : tail.get(delivered + 1);
            if (next == null && !state.rules.cutCarriesTail()) {
                return; // a mutant's cut: keep what is held
            }
            MemberState.check(
                    next != null,
                    "§13 a continuing participant holds, or finds in the cut, every multicast up to the cut");
            deliver(next);
        }
    }

    /**
     * Leaves the installed view: what this member sent and did not deliver failed (certainly undelivered if it moves
     * on with the group, since it delivered the whole cut), and flushes are moot.
     */
    private void endView(boolean continuing) {
        Output.MulticastFailure failure =
                continuing ? Output.MulticastFailure.VIEW_CHANGED : Output.MulticastFailure.LEFT_VIEW;
        for (PendingSend pending : unconfirmed) {
            outbox.add(new Output.MulticastCompleted(pending.requestId, Optional.of(failure)));
        }
        unconfirmed.clear();
        unconfirmedBytes = 0;
        toSend.clear();
        nextSenderSequence = 1;
        for (long[] flush : flushes) {
            outbox.add(new Output.FlushCompleted(flush[0], true));
        }
        flushes.clear();
        early.clear();
        held.clear();
        deliveredOnArrival.clear();
        delivered = 0;
        stable = 0;
    }

    /**
     * This member installed a transferred state, which may have skipped cuts: it leaves its view and asks to be let
     * into the next one.
     */
    void stateTransferred() {
        if (participating) {
            endView(false);
            participating = false;
            outbox.add(new Output.MulticastViewInstalled(epoch, List.of(), false));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Time and leadership.

    void tick() {
        if (!policy.enabled()) {
            return;
        }
        ticks++;
        if (sequencing != null) {
            sequencing.tick();
        }
        if (reportsFor >= 0) {
            reportTicks++;
        }
        if (ticks % state.options.retryTicks() == 0 && !unconfirmed.isEmpty() && !frozen) {
            for (PendingSend pending : unconfirmed) {
                if (ticks - pending.sentAt >= state.options.retryTicks()) { // lost, or dropped at the sequencer
                    pending.sentAt = ticks;
                    toSend.add(pending.multicast);
                }
            }
        }
        if (ticks % state.options.heartbeatTicks() == 0) {
            askToBeLetIn();
        }
        // On ticks only: what a leader decides here follows from time and the state, never from one message.
        if (state.isLeader()
                && state.ownTermCommitted()
                && state.lastApplied == state.commitIndex
                && cutInFlight == 0) {
            planCut();
        }
    }

    /** A member of the group outside the multicast view asks the leader to let it into the next one. */
    private void askToBeLetIn() {
        if (participating || !state.isMember(state.self) || state.leaderId.isEmpty()) {
            return;
        }
        if (state.isLeader()) {
            outsiders.put(state.self, life);
        } else {
            outbox.send(state.leaderId.get(), ack());
        }
    }

    void becameLeader() {
        cutInFlight = 0;
        reportsFor = -1;
        reports.clear();
        outsiders.clear();
    }

    void leadershipLost() {
        sequencing = null;
        cutInFlight = 0;
        reportsFor = -1;
        reports.clear();
        outsiders.clear();
    }

    /** Once per step, before the leader replicates: sends this step's multicasts and what the sequencer ordered. */
    void finishStep() {
        if (!policy.enabled()) {
            return;
        }
        sendOwn();
        if (sequencing != null) {
            List<Multicast> ordered = sequencing.flushOrdered();
            // The sequencer is a participant too, and like any participant delivers nothing once it reported.
            if (!ordered.isEmpty() && sequencing.epoch() == epoch && participating && !frozen) {
                receive(ordered);
            }
        }
    }

    private void sendOwn() {
        if (toSend.isEmpty()) {
            return;
        }
        List<Multicast> batch = new ArrayList<>(toSend);
        toSend.clear();
        if (!participating || frozen || sequencer.isEmpty()) {
            return;
        }
        if (sequencer.get().equals(state.self)) {
            if (sequencing != null && sequencing.epoch() == epoch) {
                sequencing.order(state.self, batch);
            }
        } else {
            for (List<Multicast> part : MulticastSequencer.inMessageSizedParts(batch, state.options.maxAppendBytes())) {
                outbox.send(sequencer.get(), new Message.MulticastSend(state.self, state.term, epoch, part));
            }
        }
    }

    /**
     * A leader ends the installed view when it must: its own view when its participants no longer match the group, a
     * view another leader sequenced at once, from every member's report.
     */
    private void planCut() {
        if (sequencing != null && sequencing.epoch() == epoch) {
            sequencing
                    .maybeCut(outsiders)
                    .ifPresent(cut -> appendCut(new Entry.ViewCut(
                            sequencing.epoch(),
                            cut.cutSequence(),
                            state.self,
                            ranked(cut.participants()),
                            cut.tail())));
            outsiders.clear();
            return;
        }
        if (reportsFor < 0) {
            reportsFor = state.log.lastIndex(); // the cut will come after: members freeze every view up to here
            reportTicks = 0;
            reports.clear();
            for (MemberId member : state.members()) {
                if (!member.equals(state.self)) {
                    outbox.send(member, new Message.MulticastReportRequest(state.self, state.term, reportsFor));
                }
            }
            if (state.isMember(state.self)) {
                reports.put(state.self, report(reportsFor));
            }
            return;
        }
        boolean everyone = reports.keySet().containsAll(state.members());
        if (everyone || reportTicks >= state.options.electionTimeoutMinTicks()) {
            appendRecoveredCut();
        }
    }

    /**
     * Cuts the latest view any member reports (this leader may have skipped its cut in a snapshot). Whatever a
     * participant of it delivered, another participant that reported delivered too or finds in the tail: every report
     * bounds its member's deliveries, and each holds what it delivered beyond what it knows stable, which every
     * participant delivered. Members that did not answer in time are left out of the next view.
     */
    private void appendRecoveredCut() {
        long ended = epoch;
        for (Message.MulticastAck report : reports.values()) {
            ended = Math.max(ended, report.epoch());
        }
        long cut = 0;
        long low = Long.MAX_VALUE;
        TreeMap<Long, Multicast> known = new TreeMap<>();
        List<Participant> next = new ArrayList<>();
        for (Message.MulticastAck report : reports.values()) {
            if (report.participant() && report.epoch() == ended) {
                cut = Math.max(cut, report.delivered());
                low = Math.min(low, report.delivered());
                report.held().forEach(multicast -> known.put(multicast.sequence(), multicast));
            }
            if (state.isMember(report.from())) {
                next.add(new Participant(report.from(), report.life()));
            }
        }
        List<Multicast> tail = new ArrayList<>();
        for (long sequence = low == Long.MAX_VALUE ? 1 : low + 1; sequence <= cut; sequence++) {
            Multicast multicast = known.get(sequence);
            MemberState.check(multicast != null, "§13 the reports hold every multicast past the lowest delivered");
            tail.add(multicast);
        }
        appendCut(new Entry.ViewCut(
                ended, cut, state.self, ranked(next), state.rules.cutCarriesTail() ? tail : List.of()));
        reportsFor = -1;
        reports.clear();
    }

    private void appendCut(Entry.ViewCut cut) {
        cutInFlight = outbox.appendAsLeader(cut).index();
    }

    /** {@code members} in the rank order of the configuration in force: voters in order, then learners by id. */
    private List<Participant> ranked(List<Participant> members) {
        View view = Views.of(state.configuration(), 0);
        List<Participant> ranked = new ArrayList<>(members);
        ranked.sort(Comparator.comparingInt(participant -> view.rankOf(participant.id())));
        return ranked;
    }
}
