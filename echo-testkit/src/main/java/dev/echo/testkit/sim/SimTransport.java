package dev.echo.testkit.sim;

import dev.echo.core.MemberId;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportCounters;
import dev.echo.core.transport.TransportListener;
import dev.echo.core.transport.TransportMetrics;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

/**
 * A real node's transport inside the whole-node simulator: every envelope goes through the real codec (so what
 * passes here would pass the wire), then to the simulated network, which delays, drops, duplicates or cuts it on
 * simulated time. Once "crashed" it neither sends nor receives.
 *
 * <p>Not thread-safe: the simulator runs everything on one thread.
 */
final class SimTransport implements Transport {
    private final MemberId self;
    private final MessageCodec codec = MessageCodec.defaults();
    private final BiConsumer<MemberId, Envelope> network;
    private final TransportCounters counters = new TransportCounters();
    private TransportListener listener;
    private boolean down;

    /**
     * @param network takes each sent envelope with its destination; delivery is its business
     */
    SimTransport(MemberId self, BiConsumer<MemberId, Envelope> network) {
        this.self = self;
        this.network = network;
    }

    @Override
    public MemberId self() {
        return self;
    }

    @Override
    public void start(TransportListener receiver) {
        listener = receiver;
    }

    @Override
    public boolean send(MemberId to, Envelope envelope) {
        if (down) {
            return false;
        }
        int size = codec.encodedSize(envelope);
        if (size > codec.maxMessageBytes()) {
            counters.dropped(); // as a real transport does: refused, counted, retried by the protocol
            return false;
        }
        ByteBuffer frame = ByteBuffer.allocate(size);
        codec.encode(envelope, size, frame);
        frame.flip();
        counters.sent(frame.remaining());
        try {
            network.accept(to, codec.decode(frame));
        } catch (CodecException bug) {
            throw new IllegalStateException("the codec cannot read what it wrote: " + envelope, bug);
        }
        return true;
    }

    /** The simulated network hands this node an envelope. */
    void receive(Envelope envelope) {
        if (!down && listener != null) {
            listener.received(envelope);
        }
    }

    /** The process died: nothing goes in or out any more. */
    void crash() {
        down = true;
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    @Override
    public TransportMetrics metrics() {
        return counters.snapshot();
    }

    @Override
    public void close() {
        down = true;
    }
}
