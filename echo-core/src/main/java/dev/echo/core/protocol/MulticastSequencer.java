package dev.echo.core.protocol;

import dev.echo.core.MemberId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The leader's ordering of the multicast view it installed (PROTOCOL.md §13): numbers each sender's multicasts in
 * the sender's order, sends them to every other participant, tracks what each acknowledged, and decides when the view
 * must end. {@link Multicasts} owns it while this member leads in the term of the view's cut, delivers what it orders
 * at this member, and appends the cut it proposes.
 *
 * <p>Threading: not thread-safe; owned by one {@link Multicasts}.
 */
final class MulticastSequencer {
    /** What ends a view: the next view's participants (unranked), the last multicast, and the tail. */
    record Cut(List<Participant> participants, long cutSequence, List<Multicast> tail) {}

    private final MemberState state;
    private final Outbox outbox;
    private final MulticastPolicy policy;
    private final int unstableBudget;
    private final long epoch;
    private final List<Participant> participants;
    private long last;
    private long stable;
    private long announcedStable;
    /** Every multicast after {@code stable} up to {@code last}, in order. */
    private final ArrayDeque<Multicast> unstable = new ArrayDeque<>();

    private long unstableBytes;
    private final TreeMap<MemberId, Long> acked = new TreeMap<>();
    private final TreeMap<MemberId, Integer> stalled = new TreeMap<>();
    private final TreeMap<MemberId, Long> nextFromSender = new TreeMap<>();
    private final List<Multicast> ordered = new ArrayList<>();
    /** Only for the mutant that ignores sender order: what it ordered, by sender and sender sequence. */
    private final Set<String> orderedAlready = new TreeSet<>();
    /** A cut was proposed: nothing more is ordered in this view. */
    private boolean frozen;

    /**
     * Sequences view {@code epoch} of {@code participants}.
     *
     * @param unstableBudget most bytes of multicasts not yet held by every participant (flow control)
     */
    MulticastSequencer(
            MemberState state, Outbox outbox, int unstableBudget, long epoch, List<Participant> participants) {
        this.state = state;
        this.outbox = outbox;
        this.policy = state.options.multicast();
        this.unstableBudget = unstableBudget;
        this.epoch = epoch;
        this.participants = participants;
        for (Participant participant : participants) {
            acked.put(participant.id(), 0L);
            stalled.put(participant.id(), 0);
        }
    }

    /** The view this sequencer orders. */
    long epoch() {
        return epoch;
    }

    /** The last multicast every participant acknowledged. */
    long stable() {
        return stable;
    }

    boolean hasParticipant(MemberId id) {
        return acked.containsKey(id);
    }

    boolean hasParticipant(MemberId id, long memberLife) {
        return participants.contains(new Participant(id, memberLife));
    }

    /** Numbers {@code from}'s multicasts in its order; one out of order, or beyond the bound, waits for a resend. */
    void order(MemberId from, List<Multicast> multicasts) {
        for (Multicast multicast : multicasts) {
            long expected = nextFromSender.getOrDefault(from, 1L);
            if (!state.rules.orderEachSenderInItsOrder()) { // a mutant: first come, first ordered
                if (!orderedAlready.add(from.value() + "#" + multicast.senderSequence())) {
                    continue;
                }
                expected = multicast.senderSequence();
            } else if (multicast.senderSequence() < expected) {
                continue; // ordered already
            }
            if (frozen
                    || multicast.senderSequence() > expected
                    || unstable.size() >= policy.maxUnstableMulticasts()
                    || unstableBytes + multicast.sizeBytes() > unstableBudget) {
                state.counters.increment(ProtocolCounters.Counter.STALE_MULTICAST);
                return;
            }
            Multicast numbered = multicast.sequenced(++last);
            unstable.add(numbered);
            unstableBytes += numbered.sizeBytes();
            nextFromSender.put(from, expected + 1);
            ordered.add(numbered);
        }
    }

    /** Sends what this step ordered to every other participant; returns it, for delivery at this member. */
    List<Multicast> flushOrdered() {
        if (ordered.isEmpty()) {
            return List.of();
        }
        List<Multicast> batch = List.copyOf(ordered);
        ordered.clear();
        for (List<Multicast> part : inMessageSizedParts(batch, state.options.maxAppendBytes())) {
            for (Participant participant : participants) {
                if (!participant.id().equals(state.self)) {
                    outbox.send(
                            participant.id(), new Message.MulticastData(state.self, state.term, epoch, stable, part));
                }
            }
        }
        return batch;
    }

    /** {@code member} delivered up to {@code upTo}; returns whether stability moved. */
    boolean acknowledged(MemberId member, long upTo) {
        Long before = acked.get(member);
        if (before == null || upTo <= before) {
            return false;
        }
        acked.put(member, Math.min(upTo, last));
        stalled.put(member, 0);
        long lowest = last;
        for (long point : acked.values()) {
            lowest = Math.min(lowest, point);
        }
        if (lowest <= stable) {
            return false;
        }
        stable = lowest;
        while (!unstable.isEmpty() && unstable.peekFirst().sequence() <= stable) {
            unstableBytes -= unstable.pollFirst().sizeBytes();
        }
        return true;
    }

    /** Retransmits to participants that fell behind, and announces stability when it moved. */
    void tick() {
        for (Map.Entry<MemberId, Long> entry : acked.entrySet()) {
            MemberId member = entry.getKey();
            if (member.equals(state.self) || entry.getValue() >= last) {
                continue;
            }
            // Only a participant that acknowledged nothing for a while lost something: the others are just busy, and
            // resending to them would flood them.
            int behind = stalled.merge(member, 1, Integer::sum);
            if (behind % state.options.electionTimeoutMinTicks() == 0) {
                outbox.send(
                        member,
                        new Message.MulticastData(
                                state.self, state.term, epoch, stable, resendFrom(entry.getValue() + 1)));
            }
        }
        if (stable > announcedStable) {
            announcedStable = stable;
            for (Participant participant : participants) {
                if (!participant.id().equals(state.self)) {
                    outbox.send(
                            participant.id(),
                            new Message.MulticastData(state.self, state.term, epoch, stable, List.of()));
                }
            }
        }
    }

    private List<Multicast> resendFrom(long from) {
        List<Multicast> batch = new ArrayList<>();
        long bytes = 0;
        for (Multicast multicast : unstable) {
            if (multicast.sequence() < from) {
                continue;
            }
            bytes += multicast.sizeBytes();
            if (!batch.isEmpty() && bytes > state.options.maxAppendBytes()) {
                break;
            }
            batch.add(multicast);
        }
        return batch;
    }

    /**
     * The cut that ends this view, if its participants no longer match the group: a participant left the
     * configuration or holds the others back, or a member outside ({@code outsiders}: id → life) asked in. The cut
     * carries what a continuing participant may lack. Once proposed, nothing more is ordered.
     */
    Optional<Cut> maybeCut(Map<MemberId, Long> outsiders) {
        List<Participant> next = new ArrayList<>();
        boolean change = false;
        for (Participant participant : participants) {
            boolean member = state.isMember(participant.id());
            boolean suspect = !participant.id().equals(state.self)
                    && acked.get(participant.id()) < last
                    && stalled.get(participant.id()) >= policy.suspectTicks();
            if (member && !suspect) {
                next.add(participant);
            } else {
                change = true;
            }
        }
        for (Map.Entry<MemberId, Long> outsider : outsiders.entrySet()) {
            if (state.isMember(outsider.getKey()) && !hasParticipant(outsider.getKey())) {
                next.add(new Participant(outsider.getKey(), outsider.getValue()));
                change = true;
            }
        }
        if (!change) {
            return Optional.empty();
        }
        long low = last; // the outsiders delivered nothing of this view and get none of it
        for (Participant continuing : next) {
            Long point = acked.get(continuing.id());
            if (point != null) {
                low = Math.min(low, point);
            }
        }
        frozen = true;
        List<Multicast> tail = new ArrayList<>();
        for (Multicast multicast : unstable) {
            if (multicast.sequence() > low && state.rules.cutCarriesTail()) {
                tail.add(multicast);
            }
        }
        return Optional.of(new Cut(next, last, tail));
    }

    /** {@code multicasts} in consecutive parts of at most {@code maxBytes} each: what one message may carry. */
    static List<List<Multicast>> inMessageSizedParts(List<Multicast> multicasts, int maxBytes) {
        List<List<Multicast>> parts = new ArrayList<>();
        List<Multicast> part = new ArrayList<>();
        long bytes = 0;
        for (Multicast multicast : multicasts) {
            if (!part.isEmpty() && bytes + multicast.sizeBytes() > maxBytes) {
                parts.add(part);
                part = new ArrayList<>();
                bytes = 0;
            }
            part.add(multicast);
            bytes += multicast.sizeBytes();
        }
        if (!part.isEmpty()) {
            parts.add(part);
        }
        return parts;
    }
}
