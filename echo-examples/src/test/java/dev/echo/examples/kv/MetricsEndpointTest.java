package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * echo-kv's {@code --metrics} endpoint (issue 24): a member that reports through Micrometer is scraped over HTTP, the
 * Prometheus text parses, and the commit latency and the journal's fsyncs counted what the member did.
 */
class MetricsEndpointTest {
    @TempDir
    Path data;

    @Test
    void aScrapeShowsTheCommitsAndTheFsyncs() throws Exception {
        MemberId self = MemberId.of("n1");
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0))) {
            MetricsSink sink = endpoint.sink();
            EchoNode node = EchoNode.builder(self)
                    .metrics(sink)
                    .transport(new InMemoryNetwork().transport(self))
                    .journal(FileJournal.open(JournalOptions.builder(data, "metrics", "n1")
                            .metrics(sink)
                            .build()))
                    .build()
                    .start();
            try {
                ReplicatedGroup group = node.join(
                        "kv", GroupOptions.builder().voter(self).build(), new KvStore(), new GroupListener() {});
                group.whenQuorum().get(30, TimeUnit.SECONDS);
                for (int i = 0; i < 25; i++) {
                    group.submit(KvOp.of(KvOp.Op.SET, ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {1})
                                    .encode())
                            .get(30, TimeUnit.SECONDS);
                }
                String text = scrape(endpoint.port());
                assertTrue(value(text, "echo_commit_latency_seconds_count", "group=\"kv\"") >= 25, text);
                assertTrue(value(text, "echo_journal_fsync_latency_seconds_count", "node=\"n1\"") >= 1, text);
                assertTrue(value(text, "echo_journal_bytes_written_total", "node=\"n1\"") > 0, text);
                assertTrue(value(text, "echo_term", "member=\"n1\"") >= 1, text);
                assertTrue(text.contains("# TYPE echo_commit_latency_seconds histogram"), "a histogram: " + text);
            } finally {
                node.close();
            }
        }
    }

    private static String scrape(int port) throws Exception {
        try (InputStream in =
                URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The value of the sample named {@code name} whose labels include {@code label}, parsed from the text format. */
    private static double value(String text, String name, String label) {
        for (String line : List.of(text.split("\n"))) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sample " + name + " with " + label + " in:\n" + text);
    }
}
