package dev.echo.testkit.lin;

import dev.echo.testkit.kv.KvCommand;
import dev.echo.testkit.sim.History;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a key-value history is linearizable (Herlihy &amp; Wing), with the Wing–Gong search as Porcupine
 * runs it: partitioned by key (keys are independent registers), depth-first over the operations that may take
 * effect next, memoising (linearized set, state) pairs already explored. An operation whose outcome is unknown
 * returns at infinity and accepts any output, so it may take effect anywhere after its invocation, or never.
 * Stateless; safe to call from any thread.
 */
public final class KvLinearizability {
    private KvLinearizability() {}

    /** Upper bound on search steps per key before the check gives up (reported as a failure). */
    public static final long DEFAULT_BUDGET = 20_000_000;

    /** Returns a description of the first non-linearizable key, or empty when every key is linearizable. */
    public static Optional<String> check(List<History.Operation> operations) {
        return check(operations, DEFAULT_BUDGET);
    }

    /** As {@link #check(List)} with an explicit search budget per key. */
    public static Optional<String> check(List<History.Operation> operations, long budget) {
        TreeMap<String, List<History.Operation>> byKey = new TreeMap<>();
        for (History.Operation op : operations) {
            if (op.unknown() && op.command().kind() == KvCommand.Kind.GET) {
                continue; // a read with no answer has no effect
            }
            byKey.computeIfAbsent(op.command().key(), k -> new ArrayList<>()).add(op);
        }
        for (var key : byKey.entrySet()) {
            Result result = new Search(key.getValue(), budget).run();
            if (result != Result.LINEARIZABLE) {
                return Optional.of("key " + key.getKey() + ": "
                        + (result == Result.BUDGET_EXCEEDED
                                ? "search budget exceeded"
                                : "no linearization of " + key.getValue().size() + " operations"));
            }
        }
        return Optional.empty();
    }

    private enum Result {
        LINEARIZABLE,
        NOT_LINEARIZABLE,
        BUDGET_EXCEEDED
    }

    /** Applies {@code op} to register value {@code state}; returns the new state, or null if the output contradicts it. */
    static String step(String state, History.Operation op) {
        KvCommand command = op.command();
        String output = op.output();
        switch (command.kind()) {
            case PUT:
                return command.value();
            case GET:
                return output == null || output.equals(state) ? state : null;
            case CAS:
                boolean swaps = state.equals(command.expected());
                if (output != null && !output.equals(swaps ? "1" : "0")) {
                    return null;
                }
                return swaps ? command.value() : state;
            default:
                throw new IllegalStateException("unknown kind " + command.kind());
        }
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

    private record Frame(Node call, String state) {}

    private record CacheKey(BitSet linearized, String state) {}

    private static final class Search {
        private final List<History.Operation> ops;
        private final long budget;
        private final Node head = new Node(-1, false);

        Search(List<History.Operation> ops, long budget) {
            this.ops = ops;
            this.budget = budget;
            List<Node> events = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                Node call = new Node(i, true);
                Node ret = new Node(i, false);
                call.match = ret;
                ret.match = call;
                events.add(call);
                events.add(ret);
            }
            // Calls sort before returns at equal times, so touching operations count as concurrent (lenient).
            events.sort((a, b) -> {
                int c = Long.compare(time(a), time(b));
                return c != 0 ? c : Boolean.compare(!a.call, !b.call);
            });
            Node last = head;
            for (Node event : events) {
                last.next = event;
                event.prev = last;
                last = event;
            }
        }

        private long time(Node event) {
            History.Operation op = ops.get(event.id);
            return event.call ? op.invokedMicros() : op.returnedMicros();
        }

        Result run() {
            BitSet linearized = new BitSet(ops.size());
            Set<CacheKey> cache = new HashSet<>();
            ArrayList<Frame> stack = new ArrayList<>();
            String state = "";
            Node entry = head.next;
            long steps = 0;
            while (head.next != null) {
                if (++steps > budget) {
                    return Result.BUDGET_EXCEEDED;
                }
                if (entry != null && entry.call) {
                    String next = step(state, ops.get(entry.id));
                    if (next != null) {
                        BitSet candidate = (BitSet) linearized.clone();
                        candidate.set(entry.id);
                        if (cache.add(new CacheKey(candidate, next))) {
                            stack.add(new Frame(entry, state));
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
                    Frame frame = stack.remove(stack.size() - 1);
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
}
