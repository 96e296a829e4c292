package dev.echo.testkit.lin;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Wing–Gong search for a linearization of one history, as Porcupine runs it: depth-first over the operations
 * that may take effect next, memoising (linearized set, state) pairs already explored. An operation whose outcome is
 * unknown returns at infinity, so it may take effect anywhere after its invocation, or never.
 *
 * @param <S> the model's state; must have value equality (it is memoised)
 */
final class WingGong<S> {
    /** What one operation does to a state. */
    interface Step<S> {
        /** The state after operation {@code op} from {@code state}, or null if its output contradicts the model. */
        S apply(S state, int op);
    }

    /** The verdict of a search. */
    enum Result {
        LINEARIZABLE,
        NOT_LINEARIZABLE,
        BUDGET_EXCEEDED
    }

    /** Doubly linked list node: a call or a return event of operation {@code id}. */
    private static final class Node {
        final int id;
        final boolean call;
        Node match;
        Node prev;
        Node next;

        Node(int id, boolean call) {
            this.id = id;
            this.call = call;
        }
    }

    private record Frame<S>(Node call, S state) {}

    private record CacheKey<S>(BitSet linearized, S state) {}

    private final int count;
    private final Step<S> step;
    private final S initial;
    private final long budget;
    private final Node head = new Node(-1, false);

    /**
     * @param invoked each operation's invocation time
     * @param returned each operation's return time, {@link Long#MAX_VALUE} when unknown
     */
    WingGong(long[] invoked, long[] returned, S initial, Step<S> step, long budget) {
        this.count = invoked.length;
        this.step = step;
        this.initial = initial;
        this.budget = budget;
        List<Node> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Node call = new Node(i, true);
            Node ret = new Node(i, false);
            call.match = ret;
            ret.match = call;
            events.add(call);
            events.add(ret);
        }
        // Calls sort before returns at equal times, so touching operations count as concurrent (lenient).
        events.sort((a, b) -> {
            int c = Long.compare(a.call ? invoked[a.id] : returned[a.id], b.call ? invoked[b.id] : returned[b.id]);
            return c != 0 ? c : Boolean.compare(!a.call, !b.call);
        });
        Node last = head;
        for (Node event : events) {
            last.next = event;
            event.prev = last;
            last = event;
        }
    }

    Result run() {
        BitSet linearized = new BitSet(count);
        Set<CacheKey<S>> cache = new HashSet<>();
        ArrayList<Frame<S>> stack = new ArrayList<>();
        S state = initial;
        Node entry = head.next;
        long steps = 0;
        while (head.next != null) {
            if (++steps > budget) {
                return Result.BUDGET_EXCEEDED;
            }
            if (entry != null && entry.call) {
                S next = step.apply(state, entry.id);
                if (next != null) {
                    BitSet candidate = (BitSet) linearized.clone();
                    candidate.set(entry.id);
                    if (cache.add(new CacheKey<>(candidate, next))) {
                        stack.add(new Frame<>(entry, state));
                        state = next;
                        linearized = candidate;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                // A return event (or the end) reached: the op that must precede it could not be placed.
                if (stack.isEmpty()) {
                    return Result.NOT_LINEARIZABLE;
                }
                Frame<S> frame = stack.remove(stack.size() - 1);
                linearized = (BitSet) linearized.clone();
                linearized.clear(frame.call().id);
                state = frame.state();
                unlift(frame.call());
                entry = frame.call().next;
            }
        }
        return Result.LINEARIZABLE;
    }

    private static void lift(Node call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Node ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Node call) {
        Node ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
