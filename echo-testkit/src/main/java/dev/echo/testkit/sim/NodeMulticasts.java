package dev.echo.testkit.sim;

import dev.echo.core.MemberId;
import dev.echo.core.MulticastView;
import dev.echo.testkit.check.InvariantViolation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * View-synchronous multicast as the whole-node simulator's applications see it (PROTOCOL.md §13), through the public
 * listener only: every member life's deliveries and installed views, checked as they happen.
 * <ul>
 *   <li>a delivery carries the epoch of the view the life has installed last (delivery within a view);
 *   <li>within a view, every life delivers the same sequence, or a prefix of it (one total order), which also gives
 *       FIFO and causal order;
 *   <li>no life delivers a multicast twice, and only multicasts some member sent;
 *   <li>lives that install the same next view after a view delivered the same multicasts of it (the same set).
 * </ul>
 * A life is one run of one machine's process: its multicast state is volatile, so a restart starts a new life.
 *
 * <p>Not thread-safe: the simulator runs everything on one thread.
 */
final class NodeMulticasts {
    /** Epoch → the view's total order as far as any life delivered it. */
    private final Map<Long, List<String>> orders = new HashMap<>();
    /** Life → the epoch it installed last, absent before its first view. */
    private final Map<String, Long> views = new HashMap<>();
    /** Life → whether it takes part in the view it installed last. */
    private final Map<String, Boolean> participating = new HashMap<>();
    /** Life → epoch → how many of that view's multicasts it delivered. */
    private final Map<String, Map<Long, Integer>> delivered = new HashMap<>();
    /** Life → payloads delivered, for duplicates. */
    private final Map<String, Set<String>> seen = new HashMap<>();
    /** (view, next view) → how many of the view's multicasts the lives moving between them had delivered. */
    private final Map<String, Integer> movedWith = new HashMap<>();

    private final Set<String> sent = new HashSet<>();
    private long deliveries;
    private long transitions;

    /** A unique payload for {@code sender}'s next multicast, recorded as sent. */
    byte[] nextPayload(MemberId sender, long counter) {
        String payload = sender.value() + "#" + counter;
        sent.add(payload);
        return payload.getBytes(StandardCharsets.UTF_8);
    }

    void installed(String life, MulticastView view) {
        Long previous = views.put(life, view.epoch());
        Boolean tookPart = participating.put(life, view.participating());
        // The guarantee is for the members that move on together: took part in the view and take part in the next.
        if (previous != null && previous != view.epoch() && tookPart && view.participating()) {
            int count = delivered.getOrDefault(life, Map.of()).getOrDefault(previous, 0);
            String move = previous + "->" + view.epoch();
            Integer others = movedWith.putIfAbsent(move, count);
            transitions++;
            if (others != null && others != count) {
                throw new InvariantViolation(
                        "§13 members moving together to a view delivered the same multicasts of the one before",
                        life + " moved " + move + " having delivered " + count + " of view " + previous
                                + ", another life " + others);
            }
        }
    }

    void delivered(String life, MemberId sender, long epoch, byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        deliveries++;
        Long view = views.get(life);
        if (view == null || view != epoch) {
            throw new InvariantViolation(
                    "§13 a multicast is delivered in the view it was sent in",
                    life + " delivered " + text + " of view " + epoch + " while in view " + view);
        }
        if (!sent.contains(text) || !text.startsWith(sender.value() + "#")) {
            throw new InvariantViolation(
                    "§13 only sent multicasts are delivered", life + " delivered " + text + " from " + sender);
        }
        if (!seen.computeIfAbsent(life, l -> new HashSet<>()).add(text)) {
            throw new InvariantViolation("§13 a multicast is delivered once", life + " delivered " + text + " again");
        }
        Map<Long, Integer> counts = delivered.computeIfAbsent(life, l -> new HashMap<>());
        int position = counts.merge(epoch, 1, Integer::sum) - 1;
        List<String> order = orders.computeIfAbsent(epoch, e -> new ArrayList<>());
        if (position == order.size()) {
            order.add(text);
        } else if (!order.get(position).equals(text)) {
            throw new InvariantViolation(
                    "§13 one total order within a view",
                    life + " delivered " + text + " at place " + position + " of view " + epoch + ", where another life"
                            + " delivered " + order.get(position));
        }
    }

    /** Deliveries checked, and view changes compared between lives. */
    long deliveries() {
        return deliveries;
    }

    long transitions() {
        return transitions;
    }
}
