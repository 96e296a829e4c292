package dev.echo.transport.netty.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.EchoException;
import dev.echo.core.ReplicatedGroup;
import dev.echo.testkit.kv.KvCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client's model of a replicated key-value map over real nodes: puts retried (exactly-once) until acknowledged, and
 * the check that a member holds every acknowledged write. Not thread-safe; used from the test thread.
 */
final class AcknowledgedWrites {
    private final Map<String, String> model = new TreeMap<>();
    private final Duration patience;

    AcknowledgedWrites(Duration patience) {
        this.patience = patience;
    }

    /** Puts through {@code via}, retrying only what certainly had no effect, then records it as acknowledged. */
    void put(ReplicatedGroup via, String key, String value) throws Exception {
        byte[] command = KvCommand.put(key, value).encode();
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                via.submit(command).get(10, TimeUnit.SECONDS);
                model.put(key, value);
                return;
            } catch (ExecutionException failed) {
                EchoException cause = (EchoException) failed.getCause();
                assertTrue(cause.certainlyNotApplied(), "an outcome the client cannot retry blindly: " + cause);
            } catch (TimeoutException slow) {
                throw new AssertionError("no outcome for " + key + " within 10 s", slow);
            }
            assertTrue(System.nanoTime() < deadline, "no quorum for " + patience);
            via.whenQuorum().get(patience.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Whether {@code member} answers every acknowledged write with its value (stale reads: its own state). */
    boolean heldBy(ReplicatedGroup member) {
        try {
            for (Map.Entry<String, String> entry : model.entrySet()) {
                byte[] answer =
                        member.readStale(KvCommand.get(entry.getKey()).encode()).get(5, TimeUnit.SECONDS);
                if (!entry.getValue().equals(new String(answer, StandardCharsets.UTF_8))) {
                    return false;
                }
            }
            return true;
        } catch (Exception notYet) {
            return false;
        }
    }
}
