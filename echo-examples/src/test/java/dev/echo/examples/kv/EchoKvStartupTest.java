package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.echo.examples.demo.KvCluster;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** echo-kv that cannot start (its RESP port taken) throws, and leaves no port, thread or journal held. */
class EchoKvStartupTest {
    @TempDir
    Path data;

    @Test
    void aMemberThatCannotStartReleasesItsPortsAndJournal() throws Exception {
        Path key = data.resolve("cluster.key");
        Files.write(key, new byte[32]);
        int metricsPort = KvCluster.freePort();
        int peerPort = KvCluster.freePort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            KvOptions options = KvOptions.parse(new String[] {
                "--id",
                "n1",
                "--data",
                data.resolve("n1").toString(),
                "--members",
                "n1=127.0.0.1:" + peerPort,
                "--client",
                "127.0.0.1:" + taken.getLocalPort(),
                "--key-file",
                key.toString(),
                "--metrics",
                "127.0.0.1:" + metricsPort
            });
            assertThrows(Exception.class, () -> new EchoKv(options));
        }
        for (int port : new int[] {metricsPort, peerPort}) {
            try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                again.getLocalPort(); // bound: the failed member released it
            } catch (IOException held) {
                throw new AssertionError(
                        (port == metricsPort ? "the metrics port" : "the peer port") + " is held", held);
            }
        }
        FileJournal.open(JournalOptions.builder(data.resolve("n1"), "echo-kv", "n1")
                        .build())
                .close(); // throws if the failed member still held its journal
    }
}
