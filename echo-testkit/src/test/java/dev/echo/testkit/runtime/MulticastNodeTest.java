package dev.echo.testkit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.MulticastView;
import dev.echo.core.Ordering;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.testkit.storage.InMemoryJournal;
import dev.echo.testkit.transport.Inbox;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Multicast through the public API with real threads over the in-memory transport (issue 23): the wiring from
 * {@link ReplicatedGroup#multicast} to {@link GroupListener#multicastDelivered}, views, flush and the typed refusals.
 * The guarantees themselves are proven in the simulator (VirtualSynchrony).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MulticastNodeTest {
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"));
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<MemberId, EchoNode> nodes = new LinkedHashMap<>();
    private final Map<MemberId, ReplicatedGroup> groups = new LinkedHashMap<>();
    private final Map<MemberId, List<String>> delivered = new ConcurrentHashMap<>();
    private final Map<MemberId, List<MulticastView>> views = new ConcurrentHashMap<>();

    @AfterEach
    void closeNodes() {
        nodes.values().forEach(EchoNode::close);
    }

    @Test
    void everyMemberDeliversEveryMulticastInOneOrderAndFlushCompletes() throws Exception {
        startAll(true);
        for (MemberId member : MEMBERS) {
            assertTrue(
                    Inbox.await(
                            () -> !views.get(member).isEmpty()
                                    && views.get(member)
                                                    .get(views.get(member).size() - 1)
                                                    .size()
                                            == 3,
                            PATIENCE),
                    member + " installed a view of all three: " + views.get(member));
        }
        for (int i = 0; i < 30; i++) {
            MemberId sender = MEMBERS.get(i % 3);
            multicastWithRetry(sender, sender + "-" + i);
        }
        groups.get(MEMBERS.get(1)).flush().get(10, TimeUnit.SECONDS);
        for (MemberId member : MEMBERS) {
            assertTrue(Inbox.await(() -> delivered.get(member).size() >= 30, PATIENCE), member + " delivered all");
        }
        assertEquals(delivered.get(MEMBERS.get(0)), delivered.get(MEMBERS.get(1)), "one order everywhere");
        assertEquals(delivered.get(MEMBERS.get(0)), delivered.get(MEMBERS.get(2)), "one order everywhere");
        MulticastView view =
                views.get(MEMBERS.get(0)).get(views.get(MEMBERS.get(0)).size() - 1);
        assertEquals(
                view, views.get(MEMBERS.get(2)).get(views.get(MEMBERS.get(2)).size() - 1), "the same view");
        assertEquals(List.of(0, 1, 2), MEMBERS.stream().map(view::rankOf).toList(), "ranked as configured");
    }

    /**
     * An application that answers every refusal with a new multicast at once keeps its group's loop busy: the loop
     * must still tick, or the member never asks to be let into the view and spins forever.
     */
    @Test
    void aMemberWhoseApplicationRetriesAtOnceStillGetsIntoTheView() throws Exception {
        for (MemberId member : List.of(MEMBERS.get(0), MEMBERS.get(2))) {
            start(member, true);
        }
        assertTrue(Inbox.await(() -> !views.get(MEMBERS.get(0)).isEmpty(), PATIENCE), "a first view without n2");
        MemberId late = MEMBERS.get(1);
        start(late, true);
        AtomicLong confirmed = new AtomicLong();
        ReplicatedGroup group = groups.get(late);
        Runnable[] next = new Runnable[1];
        next[0] = () -> group.multicast(new byte[] {7}, Ordering.FIFO).whenComplete((ok, error) -> {
            if (error == null) {
                confirmed.incrementAndGet();
            }
            if (confirmed.get() < 100) {
                next[0].run(); // at once, on the loop thread
            }
        });
        next[0].run();
        assertTrue(Inbox.await(() -> confirmed.get() >= 100, PATIENCE), "let in, and its multicasts delivered");
    }

    @Test
    void aGroupWithoutMulticastRefusesWithATypedError() throws Exception {
        startAll(false);
        ExecutionException refused = assertThrows(ExecutionException.class, () -> groups.get(MEMBERS.get(0))
                .multicast(new byte[] {1}, Ordering.FIFO)
                .get(10, TimeUnit.SECONDS));
        assertEquals(EchoException.Reason.INVALID, ((EchoException) refused.getCause()).reason());
        assertFalse(refused.getCause().getMessage().isEmpty());
    }

    private void multicastWithRetry(MemberId sender, String payload) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                groups.get(sender)
                        .multicast(payload.getBytes(StandardCharsets.UTF_8), Ordering.TOTAL)
                        .get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException failed) {
                EchoException cause = (EchoException) failed.getCause();
                assertTrue(cause.certainlyNotApplied(), "only failures that delivered nothing are retried: " + cause);
                assertTrue(System.nanoTime() < deadline, "no view in time: " + cause);
                Thread.sleep(20); // a view is being installed
            }
        }
    }

    private void startAll(boolean multicast) throws Exception {
        for (MemberId member : MEMBERS) {
            start(member, multicast);
        }
    }

    private void start(MemberId member, boolean multicast) throws Exception {
        EchoNode node = EchoNode.builder(member)
                .transport(network.transport(member))
                .journal(new InMemoryJournal())
                .build()
                .start();
        GroupOptions.Builder options = GroupOptions.builder().multicast(multicast);
        MEMBERS.forEach(options::voter);
        delivered.put(member, new CopyOnWriteArrayList<>());
        views.put(member, new CopyOnWriteArrayList<>());
        ReplicatedGroup group = node.join("chat", options.build(), new Counter(), new GroupListener() {
            @Override
            public void multicastDelivered(MemberId sender, long viewEpoch, byte[] payload) {
                delivered.get(member).add(new String(payload, StandardCharsets.UTF_8));
            }

            @Override
            public void multicastViewInstalled(MulticastView view) {
                views.get(member).add(view);
            }
        });
        nodes.put(member, node);
        groups.put(member, group);
    }
}
