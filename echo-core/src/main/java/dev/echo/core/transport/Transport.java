package dev.echo.core.transport;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Carries envelopes between this node's members and their peers. Delivery is best effort: messages may be lost,
 * duplicated or reordered (the protocol retries and tolerates all three), but a delivered envelope is always one a
 * peer of the same cluster really sent, intact.
 *
 * <p>Threading: thread-safe. {@link #send} never blocks: when a peer's bounded outbound queue is full, or the peer is
 * unknown, or the message is larger than {@link #maxMessageBytes()}, the message is dropped, counted in
 * {@link #metrics()}, and {@code send} returns {@code false}. {@link #start} and {@link #close} may block briefly
 * (binding and releasing sockets); call them at start-up and shut-down, not from a group loop or an I/O thread.
 */
public interface Transport extends AutoCloseable {
    /** The member this transport speaks for. */
    MemberId self();

    /**
     * Binds and starts delivering received envelopes to {@code listener}.
     *
     * @throws TransportException {@code BIND_FAILED} if the local address cannot be bound, {@code ILLEGAL_STATE} if
     *     already started or closed
     */
    void start(TransportListener listener) throws TransportException;

    /**
     * Queues {@code envelope} for {@code to}; returns at once.
     *
     * @return {@code true} if queued or sent, {@code false} if dropped (and counted)
     */
    boolean send(MemberId to, Envelope envelope);

    /**
     * Tells the transport where {@code member} can be reached, for members that join after start-up. Transports that
     * need no addresses ignore it.
     */
    default void updatePeer(MemberId member, PeerAddress address) {}

    /**
     * Asks whoever listens at {@code address} which member it is, authenticating it as it would any peer (PROTOCOL.md
     * §8: a joining machine given its seeds as bare addresses). Call after {@link #start}; never blocks. The answer is
     * only an id: to send to it, give its address with {@link #updatePeer} (a configuration that records the address
     * does so).
     *
     * @return completes with the member's id, or exceptionally with a {@link TransportException}:
     *     {@code PEER_UNREACHABLE} (nobody answered in time), {@code PEER_REFUSED} (another cluster, a wrong key or
     *     certificate), {@code UNSUPPORTED} (a transport without addresses), {@code ILLEGAL_STATE} (not started, closed)
     */
    default CompletableFuture<MemberId> identify(PeerAddress address) {
        return CompletableFuture.failedFuture(new TransportException(
                TransportException.Reason.UNSUPPORTED,
                getClass().getSimpleName() + " cannot ask an address who it is: give its seeds with their ids",
                null));
    }

    /**
     * What this transport knows of its link to {@code member} now: for a joining machine's status, which names the
     * seeds it cannot reach (PROTOCOL.md §8). Thread-safe and cheap; never blocks.
     */
    default PeerState peerState(MemberId member) {
        return PeerState.UNKNOWN;
    }

    /**
     * Tells the transport that {@code member} belongs to no configuration of this node's groups any more (PROTOCOL.md
     * §8): it closes its connection and forgets its address; messages to it are dropped from now on. Transports that
     * need no addresses ignore it.
     */
    default void forgetPeer(MemberId member) {}

    /**
     * Whether every envelope this transport delivers comes from a peer it authenticated as a member of this cluster
     * (TLS, a cluster key, or an in-process network). Only then may a leader this member does not know yet bring it
     * into a group (PROTOCOL.md §10). True unless the transport was explicitly set up without authentication.
     */
    default boolean authenticatesPeers() {
        return true;
    }

    /**
     * The largest encoded message this transport carries: its codec's limit. The runtime keeps the core's batches
     * (and snapshot chunks) below it.
     */
    default int maxMessageBytes() {
        return codec().maxMessageBytes();
    }

    /**
     * The codec, and so the limits (message bytes, entries per message, command bytes), this transport encodes and
     * decodes with. The runtime checks the protocol's batching against it before a group starts, because a peer
     * drops what exceeds them.
     */
    MessageCodec codec();

    /**
     * The transport's I/O threads, offered to run the node's group loops on: a message read on one is then stepped by
     * its group, and the answer queued for writing, on that same thread, with no hand-off between threads
     * (docs/architecture.md, "Threads"). Valid from {@link #start} until {@link #close}. Empty, the default, when the
     * transport has no such threads; the runtime then starts loop threads of its own. A task run on one must never
     * block on this transport.
     */
    default List<ScheduledExecutorService> ioExecutors() {
        return List.of();
    }

    /**
     * Writes out now the messages sent from the calling thread (one of {@link #ioExecutors}) that still wait for a later
     * task of that thread: a loop pass calls it before it forces the journal on the same thread
     * ({@link dev.echo.core.storage.Journal#writesOnCallerThreads}), so that a leader's appends travel while it forces.
     * Does nothing on other threads, and by default.
     */
    default void flushQueued() {}

    /** A consistent-enough snapshot of the counters; cheap, callable from any thread. */
    TransportMetrics metrics();

    /** Stops sending and receiving and releases sockets and threads. Idempotent; queued messages are discarded. */
    @Override
    void close();
}
