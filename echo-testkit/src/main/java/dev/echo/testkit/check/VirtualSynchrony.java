package dev.echo.testkit.check;

import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * PROTOCOL.md §13, checked on every step of every member life: the view-synchronous multicast guarantees.
 * <ul>
 *   <li>a multicast is delivered only in a view its member takes part in, and only in the view it was sent in;
 *   <li>total order: in each view, every member delivers a prefix of one sequence;
 *   <li>FIFO: each sender's multicasts are delivered in the order it sent them;
 *   <li>causal: a multicast comes after every one its sender had delivered before sending it;
 *   <li>view synchrony: the members that move together from a view to the next delivered the same multicasts in it;
 *   <li>a member installs a view only once it applied the log up to it (state transfer comes first);
 *   <li>outcomes tell the truth: "delivered" means the sender delivered it, "view changed" that no member that
 *       moved on to the next view delivered it;
 *   <li>a flush ends, unless moot, only when every member still in the view delivered what the asker had.
 * </ul>
 * Multicast payloads are the workload's ids, {@code sender/life/count}: unique, and ordered per sender life.
 *
 * <p>Not thread-safe: it keeps history across steps, and the simulation calls it on its one thread.
 */
public final class VirtualSynchrony implements Invariant {
    /** One life of one member. */
    private record Life(int node, int incarnation) {}

    private static final class Participant {
        long epoch = -1;
        boolean participating;
        final List<String> delivered = new ArrayList<>();
        final Map<String, Long> lastCountBySender = new HashMap<>();
    }

    private record Sent(long epoch, int deliveredBefore) {}

    private record Flush(long epoch, int deliveredBefore) {}

    private final Map<Life, Participant> lives = new HashMap<>();
    private final Map<Long, List<String>> orderByView = new HashMap<>();
    /** Ended view → the multicasts of it the first member that moved on had delivered. */
    private final Map<Long, Set<String>> deliveredByMovers = new HashMap<>();

    private final Map<String, Sent> sent = new HashMap<>();
    private final Map<String, String> requests = new HashMap<>();
    private final Map<String, Flush> flushes = new HashMap<>();
    /** Multicasts whose senders heard that no member moving on delivered them → their view. */
    private final Map<String, Long> undelivered = new HashMap<>();

    @Override
    public void afterStep(StepRecord step, ClusterView cluster) {
        Life life = new Life(step.node().index(), step.node().incarnation());
        Participant self = lives.computeIfAbsent(life, l -> new Participant());
        String who = step.node().id() + " (life " + life.incarnation() + ")";
        if (step.input() instanceof Input.SendMulticast send) {
            String id = new String(send.payload(), StandardCharsets.UTF_8);
            sent.put(id, new Sent(self.epoch, self.delivered.size()));
            requests.put(life + "#" + send.requestId(), id);
        } else if (step.input() instanceof Input.Flush flush) {
            flushes.put(life + "#" + flush.flushId(), new Flush(self.epoch, self.delivered.size()));
        }
        for (Output output : step.outputs()) {
            if (output instanceof Output.MulticastDelivered delivery) {
                delivered(who, self, delivery);
            } else if (output instanceof Output.MulticastViewInstalled installed) {
                installed(who, self, installed, step);
            } else if (output instanceof Output.MulticastCompleted completed) {
                completed(who, self, requests.get(life + "#" + completed.requestId()), completed);
            } else if (output instanceof Output.FlushCompleted done && !done.moot()) {
                flushed(who, flushes.get(life + "#" + done.flushId()));
            }
        }
    }

    private void delivered(String who, Participant self, Output.MulticastDelivered delivery) {
        String id = new String(delivery.payload(), StandardCharsets.UTF_8);
        if (!self.participating || delivery.epoch() != self.epoch) {
            throw new InvariantViolation(
                    "§13 delivery only in a view its member takes part in",
                    who + " delivered " + id + " as view " + delivery.epoch() + " while in view " + self.epoch
                            + (self.participating ? "" : " without taking part"));
        }
        Sent origin = sent.get(id);
        if (origin == null || origin.epoch() != delivery.epoch()) {
            throw new InvariantViolation(
                    "§13 delivery only in the sender's view",
                    who + " delivered " + id + " in view " + delivery.epoch() + ", sent in "
                            + (origin == null ? "no view" : "view " + origin.epoch()));
        }
        int position = self.delivered.size();
        List<String> order = orderByView.computeIfAbsent(delivery.epoch(), e -> new ArrayList<>());
        if (position < order.size() && !order.get(position).equals(id)) {
            throw new InvariantViolation(
                    "§13 total order",
                    who + " delivered " + id + " at place " + position + " of view " + delivery.epoch()
                            + ", where another member delivered " + order.get(position));
        }
        if (position == order.size()) {
            order.add(id);
        }
        String sender = id.substring(0, id.lastIndexOf('/'));
        long count = Long.parseLong(id.substring(id.lastIndexOf('/') + 1));
        Long before = self.lastCountBySender.put(sender, count);
        if (before != null && before >= count) {
            throw new InvariantViolation(
                    "§13 FIFO order", who + " delivered " + id + " after " + sender + "/" + before);
        }
        if (position < origin.deliveredBefore()) {
            throw new InvariantViolation(
                    "§13 causal order",
                    who + " delivered " + id + " at place " + position + ", before " + origin.deliveredBefore()
                            + " multicasts its sender had delivered when it sent it");
        }
        self.delivered.add(id);
    }

    private void installed(String who, Participant self, Output.MulticastViewInstalled view, StepRecord step) {
        if (self.participating && view.participating()) {
            Set<String> mine = new HashSet<>(self.delivered);
            Set<String> movers = deliveredByMovers.putIfAbsent(self.epoch, mine);
            if (movers != null && !movers.equals(mine)) {
                throw new InvariantViolation(
                        "§13 view synchrony",
                        who + " moved from view " + self.epoch + " to " + view.epoch() + " having delivered "
                                + mine.size() + " of its multicasts; another member moved on having delivered "
                                + movers.size());
            }
            for (String id : mine) {
                if (Long.valueOf(self.epoch).equals(undelivered.get(id))) {
                    throw new InvariantViolation(
                            "§13 outcomes",
                            who + " moved on having delivered " + id + ", whose sender heard nobody did");
                }
            }
        }
        if (view.participating() && step.after().lastApplied() < view.epoch()) {
            throw new InvariantViolation(
                    "§13 state before view",
                    who + " installed view " + view.epoch() + " having applied only "
                            + step.after().lastApplied());
        }
        self.epoch = view.epoch();
        self.participating = view.participating();
        self.delivered.clear();
    }

    private void completed(String who, Participant self, String id, Output.MulticastCompleted completed) {
        if (id == null) {
            return; // refused before it was sent
        }
        if (completed.failure().isEmpty() && !self.delivered.contains(id)) {
            throw new InvariantViolation("§13 outcomes", who + " was told " + id + " was delivered; it was not, here");
        }
        if (completed.failure().equals(Optional.of(Output.MulticastFailure.VIEW_CHANGED))) {
            long view = sent.get(id).epoch();
            if (deliveredByMovers.getOrDefault(view, Set.of()).contains(id)) {
                throw new InvariantViolation(
                        "§13 outcomes", who + " was told nobody delivered " + id + ", but a member that moved on did");
            }
            undelivered.put(id, view);
        }
    }

    private void flushed(String who, Flush flush) {
        if (flush == null) {
            return;
        }
        for (Map.Entry<Life, Participant> other : lives.entrySet()) {
            Participant member = other.getValue();
            if (member.participating
                    && member.epoch == flush.epoch()
                    && member.delivered.size() < flush.deliveredBefore()) {
                throw new InvariantViolation(
                        "§13 flush",
                        who + "'s flush ended while node " + other.getKey().node() + " had delivered "
                                + member.delivered.size() + " of the " + flush.deliveredBefore() + " it waited for");
            }
        }
    }

    @Override
    public void afterRestart(int node, ClusterView cluster) {
        lives.keySet().removeIf(life -> life.node() == node); // that life crashed: it may have missed multicasts
    }
}
