package dev.echo.core.transport;

import dev.echo.core.MemberId;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link Transport} on an {@link InMemoryNetwork}. A message to a member that is not started on the network is
 * dropped and counted, like a message to a crashed peer.
 *
 * <p>Thread-safe. {@link #send} encodes, then runs the receiver's listener on the caller's thread; it never waits.
 */
public final class InMemoryTransport implements Transport {
    private final InMemoryNetwork network;
    private final MemberId self;
    private final TransportCounters counters = new TransportCounters();
    private volatile TransportListener listener;
    private volatile boolean closed;

    InMemoryTransport(InMemoryNetwork network, MemberId self) {
        this.network = network;
        this.self = self;
    }

    @Override
    public MemberId self() {
        return self;
    }

    @Override
    public synchronized void start(TransportListener receiver) throws TransportException {
        Objects.requireNonNull(receiver, "listener");
        if (closed || listener != null) {
            throw new TransportException(
                    TransportException.Reason.ILLEGAL_STATE, self + ": transport already started or closed", null);
        }
        listener = receiver;
        network.register(this);
    }

    @Override
    public boolean send(MemberId to, Envelope envelope) {
        if (closed || listener == null) {
            counters.dropped();
            return false;
        }
        int size = network.codec().encodedSize(envelope);
        if (size > maxMessageBytes()) {
            counters.dropped();
            return false;
        }
        ByteBuffer frame = ByteBuffer.allocate(size);
        try {
            network.codec().encode(envelope, size, frame);
        } catch (IllegalArgumentException tooLarge) {
            counters.dropped();
            return false;
        }
        frame.flip();
        if (!network.deliver(to, frame)) {
            counters.dropped();
            return false;
        }
        counters.sent(size);
        return true;
    }

    @Override
    public MessageCodec codec() {
        return network.codec();
    }

    @Override
    public TransportMetrics metrics() {
        return counters.snapshot();
    }

    @Override
    public void close() {
        closed = true;
        network.unregister(this);
    }

    boolean receive(ByteBuffer frame) {
        TransportListener receiver = listener;
        if (closed || receiver == null) {
            return false;
        }
        counters.receivedBytes(frame.remaining());
        Envelope envelope = network.decode(frame, counters);
        if (envelope == null) {
            return false;
        }
        counters.delivered();
        receiver.received(envelope);
        return true;
    }
}
