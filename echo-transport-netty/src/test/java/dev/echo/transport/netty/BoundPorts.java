package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportException;
import dev.echo.core.transport.TransportListener;
import dev.echo.core.transport.TransportMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * The loopback ports of one fixture's transports, learnt from the sockets they actually bound, never picked in
 * advance: a port found free and bound later can be taken in between (a CI run once failed that way). A transport
 * first binds port 0; a re-created member binds its earlier port again, or a fresh one if that is gone. Each start
 * tells every other running transport of the fixture where the new one listens, and it where they do.
 *
 * <p>Not thread-safe; used from the test thread.
 */
final class BoundPorts {
    private final Map<MemberId, Integer> ports = new TreeMap<>();
    private final Map<MemberId, Transport> running = new TreeMap<>();

    /** The port {@code member} last bound, or 0 (any) if it never started. */
    int portOf(MemberId member) {
        return ports.getOrDefault(member, 0);
    }

    /** Where each started member listens. */
    Map<MemberId, Integer> known() {
        return Map.copyOf(ports);
    }

    /**
     * A transport for {@code member} that, when started, announces its bound port. {@code factory} builds the real
     * transport for a port (0: any); {@code boundPort} reads the port it bound.
     */
    Transport transport(MemberId member, IntFunction<Transport> factory, ToIntFunction<Transport> boundPort) {
        return new Announcing(member, factory, boundPort);
    }

    /** Records a transport started outside {@link #transport} and exchanges addresses with the running ones. */
    void started(MemberId member, Transport transport, int port) {
        ports.put(member, port);
        running.put(member, transport);
        running.forEach((peer, other) -> {
            if (!peer.equals(member)) {
                other.updatePeer(member, new PeerAddress("127.0.0.1", port));
                transport.updatePeer(peer, new PeerAddress("127.0.0.1", ports.get(peer)));
            }
        });
    }

    private final class Announcing implements Transport {
        private final MemberId member;
        private final IntFunction<Transport> factory;
        private final ToIntFunction<Transport> boundPort;
        private Transport delegate;

        Announcing(MemberId member, IntFunction<Transport> factory, ToIntFunction<Transport> boundPort) {
            this.member = member;
            this.factory = factory;
            this.boundPort = boundPort;
            this.delegate = factory.apply(portOf(member));
        }

        @Override
        public MemberId self() {
            return member;
        }

        @Override
        public void start(TransportListener listener) throws TransportException {
            try {
                delegate.start(listener);
            } catch (TransportException bindFailed) {
                if (bindFailed.reason() != TransportException.Reason.BIND_FAILED || portOf(member) == 0) {
                    throw bindFailed;
                }
                delegate = factory.apply(0); // its earlier port was taken meanwhile: any port will do
                delegate.start(listener);
            }
            started(member, this, boundPort.applyAsInt(delegate));
        }

        @Override
        public boolean send(MemberId to, Envelope envelope) {
            return delegate.send(to, envelope);
        }

        @Override
        public void updatePeer(MemberId peer, PeerAddress address) {
            delegate.updatePeer(peer, address);
        }

        @Override
        public void forgetPeer(MemberId peer) {
            delegate.forgetPeer(peer);
        }

        @Override
        public boolean authenticatesPeers() {
            return delegate.authenticatesPeers();
        }

        @Override
        public MessageCodec codec() {
            return delegate.codec();
        }

        @Override
        public TransportMetrics metrics() {
            return delegate.metrics();
        }

        @Override
        public void close() {
            delegate.close();
            running.remove(member, this);
        }
    }
}
