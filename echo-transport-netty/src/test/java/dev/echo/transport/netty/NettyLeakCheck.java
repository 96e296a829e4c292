package dev.echo.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaked a Netty buffer. Registered for every test through JUnit's extension auto-detection,
 * so it installs its leak detector factory before any buffer class is loaded; detection runs at PARANOID (every
 * buffer tracked, set in the surefire configuration).
 */
public final class NettyLeakCheck implements AfterAllCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // Leaks are reported when the leaked buffer has been collected and the detector next runs.
        for (int i = 0; i < 5; i++) {
            System.gc();
            List<ByteBuf> probes = new ArrayList<>();
            for (int j = 0; j < 64; j++) {
                probes.add(PooledByteBufAllocator.DEFAULT.buffer(16));
            }
            probes.forEach(ByteBuf::release);
        }
        List<String> found = new ArrayList<>(LEAKS);
        LEAKS.clear();
        assertEquals(List.of(), found, "Netty buffers leaked in " + context.getDisplayName());
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<T>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    LEAKS.add(resourceType + records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    LEAKS.add(resourceType);
                }
            };
        }
    }
}
