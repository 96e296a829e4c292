package dev.echo.core.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Bookkeeping that makes durability ordering explicit (PROTOCOL.md §5): which persist tickets are in flight, how
 * much of the log is durable, whether the term/vote is durable, and the messages that must wait for it.
 * Not thread-safe; owned by one {@link GroupProtocol}.
 */
final class Durability {
    private long nextTicket = 1;
    private long durableTicket;
    /** Newest ticket that carries a term/vote change; messages wait until it is durable. */
    private long hardStateTicket;

    private long durableIndex;
    private final ArrayDeque<PendingWrite> pendingWrites = new ArrayDeque<>();
    private final ArrayDeque<HeldSend> held = new ArrayDeque<>();

    Durability(long recoveredLastIndex) {
        this.durableIndex = recoveredLastIndex;
    }

    /** Highest log index known durable and still present in the in-memory log. */
    long durableIndex() {
        return durableIndex;
    }

    /** The ticket the next persist will carry. */
    long upcomingTicket() {
        return nextTicket;
    }

    /** Whether the latest term/vote is durable (no persist carrying one is in flight). */
    boolean hardStateDurable() {
        return hardStateTicket <= durableTicket;
    }

    /** Registers the persist emitted with {@link #upcomingTicket()}; returns its ticket. */
    long issue(long lastIndexAfterWrite, boolean carriesHardState) {
        long ticket = nextTicket++;
        pendingWrites.addLast(new PendingWrite(ticket, lastIndexAfterWrite));
        if (carriesHardState) {
            hardStateTicket = ticket;
        }
        return ticket;
    }

    /** The log was truncated from {@code index}: nothing at or after it is durable any more. */
    void truncatedFrom(long index) {
        durableIndex = Math.min(durableIndex, index - 1);
        for (PendingWrite write : pendingWrites) {
            write.lastIndex = Math.min(write.lastIndex, index - 1);
        }
    }

    /**
     * Holds {@code send} if it must wait for a term/vote to become durable (or behind messages already waiting,
     * to keep order); returns whether it was held. {@code hardStateChangedThisStep}: the step being processed
     * changed the term or vote, to be persisted with the upcoming ticket.
     */
    boolean holdIfNeeded(Output.Send send, boolean hardStateChangedThisStep) {
        long waitFor;
        if (hardStateChangedThisStep) {
            waitFor = nextTicket;
        } else if (!hardStateDurable()) {
            waitFor = hardStateTicket;
        } else if (!held.isEmpty()) {
            waitFor = held.peekLast().ticket;
        } else {
            return false;
        }
        held.addLast(new HeldSend(waitFor, send));
        return true;
    }

    /**
     * Records that every persist up to {@code ticket} is durable; returns the messages now free to go, in order,
     * or {@code null} when the ticket was not one in flight (a stale or bogus report).
     */
    List<Output.Send> persisted(long ticket) {
        if (ticket <= durableTicket || ticket >= nextTicket) {
            return null;
        }
        while (!pendingWrites.isEmpty() && pendingWrites.peekFirst().ticket <= ticket) {
            durableIndex = pendingWrites.pollFirst().lastIndex;
        }
        durableTicket = ticket;
        List<Output.Send> released = new ArrayList<>();
        while (!held.isEmpty() && held.peekFirst().ticket <= ticket) {
            released.add(held.pollFirst().send);
        }
        return released;
    }

    private static final class PendingWrite {
        final long ticket;
        long lastIndex;

        PendingWrite(long ticket, long lastIndex) {
            this.ticket = ticket;
            this.lastIndex = lastIndex;
        }
    }

    private record HeldSend(long ticket, Output.Send send) {}
}
