package dev.echo.core.transport;

import dev.echo.core.MemberId;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A process-local "network" joining {@link InMemoryTransport}s, for tests and for single-process embedding. Every
 * message is encoded and decoded with the real {@link MessageCodec}, so what passes here would pass the wire.
 *
 * <p>Thread-safe. Delivery is synchronous: the receiver's listener runs on the sender's thread.
 */
public final class InMemoryNetwork {
    private final MessageCodec codec;
    private final ConcurrentMap<MemberId, InMemoryTransport> started = new ConcurrentHashMap<>();

    /** Creates a network with the stream transports' limits ({@link MessageCodec#defaults()}). */
    public InMemoryNetwork() {
        this(MessageCodec.defaults());
    }

    /**
     * Creates a network whose messages are bounded by {@code codec}'s limits.
     *
     * @param codec the codec every message goes through
     */
    public InMemoryNetwork(MessageCodec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** Creates a transport for {@code self} on this network; it receives once started. */
    public InMemoryTransport transport(MemberId self) {
        return new InMemoryTransport(this, Objects.requireNonNull(self, "self"));
    }

    /**
     * Hands raw bytes to {@code to} as if a peer had sent them: decoded with the codec, delivered if valid, otherwise
     * counted as a decode error. For hostile-input tests.
     *
     * @return whether anything was delivered
     */
    public boolean injectRaw(MemberId to, byte[] bytes) {
        InMemoryTransport target = started.get(to);
        if (target == null) {
            return false;
        }
        return target.receive(ByteBuffer.wrap(bytes.clone()));
    }

    MessageCodec codec() {
        return codec;
    }

    void register(InMemoryTransport transport) throws TransportException {
        if (started.putIfAbsent(transport.self(), transport) != null) {
            throw new TransportException(
                    TransportException.Reason.BIND_FAILED, transport.self() + " is already on this network", null);
        }
    }

    void unregister(InMemoryTransport transport) {
        started.remove(transport.self(), transport);
    }

    boolean deliver(MemberId to, ByteBuffer frame) {
        InMemoryTransport target = started.get(to);
        return target != null && target.receive(frame);
    }

    /** Decodes a frame for a receiver; malformed frames are counted by the receiver and yield {@code null}. */
    Envelope decode(ByteBuffer frame, TransportCounters receiverCounters) {
        try {
            return codec.decode(frame);
        } catch (CodecException malformed) {
            receiverCounters.decodeError();
            return null;
        }
    }
}
