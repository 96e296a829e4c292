package dev.echo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        int basePort = KvCluster.freeBasePort();
        assertEquals("feature.x = on", EmbeddingExample.run(data, basePort));
    }
}
