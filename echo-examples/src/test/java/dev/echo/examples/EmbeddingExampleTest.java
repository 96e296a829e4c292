package dev.echo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.echo.core.transport.TransportException;
import dev.echo.examples.config.EmbeddingExample;
import dev.echo.examples.demo.KvCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding example that README.md and docs/guide.md quote runs and reads back what it wrote. */
class EmbeddingExampleTest {
    @TempDir
    Path data;

    @Test
    void theReadmeExampleWorks() throws Exception {
        // The example listens on fixed ports, as an application would. A port found free can be taken before the
        // example binds it: then it fails with BIND_FAILED and nothing else, so try again on other ports.
        for (int attempt = 1; ; attempt++) {
            Path attemptData = data.resolve("attempt-" + attempt);
            try {
                assertEquals("feature.x = on", EmbeddingExample.run(attemptData, KvCluster.freeBasePort()));
                return;
            } catch (TransportException taken) {
                if (taken.reason() != TransportException.Reason.BIND_FAILED || attempt == 5) {
                    throw taken;
                }
            }
        }
    }
}
