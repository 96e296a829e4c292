package dev.echo.transport.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback that can black-hole its connections, as a partition does: established connections stay open
 * but every byte is dropped both ways, and they stay so after {@link #heal} (their streams lost bytes and, on a real
 * network, they would sit in retransmission back-off). A connection opened during the black hole waits unrelayed,
 * as a SYN would go unanswered, and is relayed from the heal on. Neither end ever sees a close.
 *
 * <p>Thread-safe; runs one acceptor thread and two relay threads per connection, all daemons, until closed.
 */
final class BlackHoleProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Relay> relays = new CopyOnWriteArrayList<>();
    private final List<Socket> waiting = new CopyOnWriteArrayList<>();
    private volatile boolean holed;

    BlackHoleProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "black-hole-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** From now on every byte of every existing connection is dropped. */
    void blackHole() {
        holed = true;
        relays.forEach(relay -> relay.dead = true);
    }

    /** New connections, and those that waited, are relayed; the black-holed ones stay silent. */
    synchronized void heal() throws IOException {
        holed = false;
        for (Socket client : waiting) {
            relay(client);
        }
        waiting.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                synchronized (this) {
                    if (holed) {
                        waiting.add(client);
                    } else {
                        relay(client);
                    }
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(Socket client) throws IOException {
        Relay relay = new Relay(client, new Socket(target.getAddress(), target.getPort()));
        relays.add(relay);
        relay.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket client : waiting) {
            client.close();
        }
        for (Relay relay : relays) {
            relay.close();
        }
    }

    private static final class Relay {
        private final Socket client;
        private final Socket upstream;
        volatile boolean dead;

        Relay(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            pump(client, upstream);
            pump(upstream, client);
        }

        private void pump(Socket from, Socket to) {
            Thread thread = new Thread(
                    () -> {
                        byte[] buffer = new byte[8192];
                        try (InputStream in = from.getInputStream()) {
                            OutputStream out = to.getOutputStream();
                            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                                if (!dead) {
                                    out.write(buffer, 0, read);
                                    out.flush();
                                }
                            }
                        } catch (IOException closed) {
                            // either side went away: the relay ends with it
                        }
                        // A close is a packet too: through a black hole it never reaches the other side, which
                        // must find out by itself (else the far end's idle close would re-dial the sender for it).
                        if (!dead) {
                            close();
                        }
                    },
                    "black-hole-relay");
            thread.setDaemon(true);
            thread.start();
        }

        void close() {
            try {
                client.close();
                upstream.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
