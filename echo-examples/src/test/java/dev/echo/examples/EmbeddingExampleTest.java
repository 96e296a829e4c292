package dev.echo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.echo.examples.config.EmbeddingExample;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding example that README.md and docs/guide.md quote runs and reads back what it wrote. */
class EmbeddingExampleTest {
    @TempDir
    Path data;

    @Test
    void theReadmeExampleWorks() throws Exception {
        int basePort = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
        assertEquals("feature.x = on", EmbeddingExample.run(data, basePort));
    }
}
