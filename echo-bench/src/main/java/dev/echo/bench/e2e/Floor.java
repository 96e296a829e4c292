package dev.echo.bench.e2e;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * The physical floor of one commit on this machine, measured in the same run as the cluster (issue 20's C=1 target:
 * Echo's p50 at most 1.5× a bare fsync plus two loopback round trips). A commit at C=1 needs at least one durable
 * write at a follower (the leader's runs in parallel) and a round trip to it; the second round trip stands for the
 * client's hand-off in and out. Both are measured from Java, as Echo pays them:
 * <ul>
 *   <li>fsync: a 128-byte positional write and {@code force(false)} into a preallocated file on the benchmark's disk;
 *   <li>round trip: 32 bytes to an echoing thread and back over a loopback TCP connection with {@code TCP_NODELAY}.
 * </ul>
 *
 * <p>Single-threaded apart from the echoing thread it starts and joins; blocks for about two seconds.
 */
final class Floor {
    private static final int FILE_BYTES = 1 << 20;
    private static final int RECORD_BYTES = 128;
    private static final int FORCES = 2_000;
    private static final int ROUND_TRIPS = 20_000;
    private static final int WARM_UP = 2_000;
    private static final int MESSAGE_BYTES = 32;

    private Floor() {}

    /** The medians, in microseconds. */
    record Medians(double fsyncMicros, double roundTripMicros) {
        double commitTargetMicros() {
            return 1.5 * (fsyncMicros + 2 * roundTripMicros);
        }

        String line() {
            return String.format(
                    Locale.ROOT,
                    "floor fsync_p50_us=%.0f loopback_rtt_p50_us=%.0f c1_p50_target_us=%.0f",
                    fsyncMicros,
                    roundTripMicros,
                    commitTargetMicros());
        }
    }

    static Medians measure(Path dir) throws IOException, InterruptedException {
        return new Medians(fsyncMedian(dir), roundTripMedian());
    }

    private static double fsyncMedian(Path dir) throws IOException {
        Path file = dir.resolve("floor.bin");
        try (FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Preallocated and forced first, as the journal's segments are: the forces below flush data only.
            ByteBuffer zeros = ByteBuffer.allocateDirect(FILE_BYTES);
            while (zeros.hasRemaining()) {
                channel.write(zeros, zeros.position());
            }
            channel.force(true);
            ByteBuffer record = ByteBuffer.allocateDirect(RECORD_BYTES);
            long[] nanos = new long[FORCES];
            for (int i = 0; i < FORCES; i++) {
                record.clear();
                long position = (long) i * RECORD_BYTES % FILE_BYTES;
                long start = System.nanoTime();
                while (record.hasRemaining()) {
                    channel.write(record, position + record.position());
                }
                channel.force(false);
                nanos[i] = System.nanoTime() - start;
            }
            return medianMicros(nanos);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double roundTripMedian() throws IOException, InterruptedException {
        // Port 0: the kernel picks a free port, so nothing can take it between choosing and binding.
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> echoOnce(server), "echo-bench-floor-echo");
            echo.setDaemon(true);
            echo.start();
            long[] nanos = new long[ROUND_TRIPS];
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
                OutputStream out = socket.getOutputStream();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] message = new byte[MESSAGE_BYTES];
                for (int i = -WARM_UP; i < ROUND_TRIPS; i++) {
                    long start = System.nanoTime();
                    out.write(message);
                    in.readFully(message);
                    if (i >= 0) {
                        nanos[i] = System.nanoTime() - start;
                    }
                }
            }
            echo.join();
            return medianMicros(nanos);
        }
    }

    /** Echoes every message of the one connection back until it closes. */
    private static void echoOnce(ServerSocket server) {
        try (Socket peer = server.accept()) {
            peer.setTcpNoDelay(true);
            InputStream in = peer.getInputStream();
            OutputStream out = peer.getOutputStream();
            byte[] buffer = new byte[MESSAGE_BYTES];
            for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
            }
        } catch (IOException closed) {
            // the measuring side closed the connection: done
        }
    }

    private static double medianMicros(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1000.0;
    }
}
