package dev.echo.examples.kv;

import com.sun.net.httpserver.HttpServer;
import dev.echo.core.metrics.MetricsSink;
import dev.echo.metrics.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * echo-kv's {@code --metrics HOST:PORT}: Echo's metrics (issue 24) through Micrometer, served in the Prometheus text
 * format at {@code /metrics} by the JDK's HTTP server on one daemon thread. Thread-safe.
 */
final class MetricsEndpoint implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(work -> {
        Thread serving = new Thread(work, "echo-kv-metrics");
        serving.setDaemon(true);
        return serving;
    });

    private MetricsEndpoint(InetSocketAddress bind) throws IOException {
        server = HttpServer.create(bind, 16);
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(thread);
        server.start();
    }

    /** Binds {@code bind} and starts serving; a port in use is an error at start-up, not later. */
    static MetricsEndpoint start(InetSocketAddress bind) {
        try {
            return new MetricsEndpoint(bind);
        } catch (IOException cannotBind) {
            throw new UncheckedIOException("cannot serve metrics on " + bind, cannotBind);
        }
    }

    /** Where Echo reports: this endpoint's registry. */
    MetricsSink sink() {
        return new MicrometerMetrics(registry);
    }

    /** The port actually bound (useful with port 0). */
    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
