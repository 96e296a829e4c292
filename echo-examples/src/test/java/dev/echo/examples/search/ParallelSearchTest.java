package dev.echo.examples.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.testkit.storage.InMemoryJournal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The parallel search example (issue 23) over the in-memory transport: both answers, before and after a member dies,
 * equal a plain scan, and the second comes from a view without the dead member, the records re-split among the rest.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ParallelSearchTest {
    @Test
    void theSurvivorsSplitTheRecordsAgainAndFindTheSame() throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        ByteArrayOutputStream transcript = new ByteArrayOutputStream();
        boolean same = ParallelSearch.run(
                4,
                20_000,
                "flush",
                ids -> {
                    List<EchoNode> nodes = new ArrayList<>();
                    for (MemberId id : ids) {
                        nodes.add(EchoNode.builder(id)
                                .transport(network.transport(id))
                                .journal(new InMemoryJournal())
                                .build()
                                .start());
                    }
                    return nodes;
                },
                new PrintStream(transcript, true, StandardCharsets.UTF_8));
        String text = transcript.toString(StandardCharsets.UTF_8);
        assertTrue(same, text);
        assertTrue(text.contains("by [s1, s2, s3, s4]:"), "the first answer came from all four: " + text);
        assertTrue(text.contains("by [s1, s3, s4]:"), "the second from the three survivors: " + text);
        assertEquals(2, text.split("a plain scan finds", -1).length - 1, text);
    }

    @Test
    void everyMemberHoldsTheSameRecords() {
        assertEquals(ParallelSearch.records(1_000), ParallelSearch.records(1_000));
        assertEquals(1_000, ParallelSearch.records(1_000).stream().distinct().count());
    }
}
