package dev.echo.transport.netty.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.EchoException;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.MulticastView;
import dev.echo.core.Ordering;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.Tuning;
import dev.echo.core.node.EchoNode;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import dev.echo.testkit.kv.KvStateMachine;
import dev.echo.testkit.transport.Inbox;
import dev.echo.testkit.transport.TransportConformance;
import dev.echo.transport.netty.TransportFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Virtual synchrony over a real transport (issue 23): three {@link EchoNode}s on loopback multicast a stream from
 * every member; the leader, which sequences the view, is killed in the middle of it. The survivors install a view
 * without it, the stream goes on there, and the survivors agree on every view's multicasts: the same ones in the same
 * order, each sender's in its order, and everything a survivor's sender heard delivered among them.
 */
class MulticastOverTheWireIT {
    private static final List<MemberId> MEMBERS = List.of(MemberId.of("n1"), MemberId.of("n2"), MemberId.of("n3"));
    private static final int PER_SENDER = 150;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private final Map<MemberId, EchoNode> nodes = new LinkedHashMap<>();
    private final Map<MemberId, ReplicatedGroup> groups = new LinkedHashMap<>();
    /** Member → (view epoch, payload) in delivery order. */
    private final Map<MemberId, List<String[]>> delivered = new ConcurrentHashMap<>();

    private final Map<MemberId, List<MulticastView>> views = new ConcurrentHashMap<>();
    /** Sender → payloads it heard delivered. */
    private final Map<MemberId, List<String>> confirmed = new ConcurrentHashMap<>();

    private TransportConformance.Fixture fixture;

    @ParameterizedTest
    @EnumSource(TransportFixtures.Kind.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theSurvivorsAgreeOnEveryViewWhenTheSequencerDiesMidStream(TransportFixtures.Kind kind) throws Exception {
        fixture = TransportFixtures.create(kind, List.of("n1", "n2", "n3"));
        try {
            for (MemberId member : MEMBERS) {
                start(member);
            }
            for (MemberId member : MEMBERS) {
                assertTrue(Inbox.await(() -> lastView(member).size() == 3, PATIENCE), member + ": " + views);
            }
            MemberId leader = Leaders.await(groups, PATIENCE);
            List<MemberId> survivors =
                    MEMBERS.stream().filter(m -> !m.equals(leader)).toList();
            Map<MemberId, AtomicInteger> counters = new HashMap<>();
            MEMBERS.forEach(m -> counters.put(m, new AtomicInteger()));
            for (int i = 0; i < PER_SENDER / 2; i++) {
                for (MemberId sender : MEMBERS) {
                    send(sender, counters.get(sender)); // pipelined: nobody waits
                }
            }
            nodes.remove(leader).close(); // mid-stream: much of it is not yet delivered everywhere
            for (MemberId sender : survivors) {
                while (confirmed.get(sender).size() < PER_SENDER) {
                    awaitSent(sender, counters.get(sender));
                }
            }
            for (MemberId member : survivors) {
                assertTrue(
                        Inbox.await(() -> lastView(member).size() == 2, PATIENCE),
                        member + " installed a view without " + leader + ": " + views.get(member));
            }
            checkSurvivorsAgree(survivors);
        } finally {
            nodes.values().forEach(EchoNode::close);
            fixture.close();
        }
    }

    /** Per view, the survivors that moved on from it delivered the same list; FIFO per sender; confirmations hold. */
    private void checkSurvivorsAgree(List<MemberId> survivors) {
        MemberId a = survivors.get(0);
        MemberId b = survivors.get(1);
        assertTrue(Inbox.await(() -> deliveredBy(a).equals(deliveredBy(b)), PATIENCE), "the survivors agree per view");
        for (MemberId member : survivors) {
            Map<String, Integer> lastBySender = new HashMap<>();
            for (String[] delivery : delivered.get(member)) {
                String sender = delivery[1].substring(0, delivery[1].indexOf('-'));
                int count = Integer.parseInt(delivery[1].substring(delivery[1].indexOf('-') + 1));
                Integer before = lastBySender.put(sender, count);
                assertTrue(before == null || before < count, member + " delivered " + sender + " out of order");
            }
            for (String payload : confirmed.get(member)) {
                assertTrue(
                        delivered.get(a).stream().anyMatch(d -> d[1].equals(payload))
                                && delivered.get(b).stream().anyMatch(d -> d[1].equals(payload)),
                        payload + " was confirmed to " + member + " but is not delivered at both survivors");
            }
        }
        assertEquals(deliveredBy(a).keySet(), deliveredBy(b).keySet(), "the same views");
    }

    private Map<Long, List<String>> deliveredBy(MemberId member) {
        Map<Long, List<String>> byView = new LinkedHashMap<>();
        for (String[] delivery : delivered.get(member)) {
            byView.computeIfAbsent(Long.parseLong(delivery[0]), e -> new ArrayList<>())
                    .add(delivery[1]);
        }
        return byView;
    }

    /** Sends one multicast; retries, with a new payload, those the view change certainly did not deliver. */
    private void awaitSent(MemberId sender, AtomicInteger counter) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                send(sender, counter).get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException failed) {
                EchoException cause = (EchoException) failed.getCause();
                assertTrue(cause.certainlyNotApplied(), "only undelivered multicasts are retried: " + cause);
                assertTrue(System.nanoTime() < deadline, "no view to multicast in: " + cause);
                Thread.sleep(20); // the survivors are installing their view
            }
        }
    }

    private CompletableFuture<Void> send(MemberId sender, AtomicInteger counter) {
        String payload = sender.value() + "-" + counter.incrementAndGet();
        return groups.get(sender)
                .multicast(payload.getBytes(StandardCharsets.UTF_8), Ordering.FIFO)
                .thenRun(() -> confirmed.get(sender).add(payload));
    }

    private MulticastView lastView(MemberId member) {
        List<MulticastView> seen = views.get(member);
        return seen.isEmpty() ? new MulticastView(0, List.of(), false) : seen.get(seen.size() - 1);
    }

    private void start(MemberId member) throws Exception {
        Path data = directory.resolve(member.value());
        Files.createDirectories(data);
        FileJournal journal = FileJournal.open(
                JournalOptions.builder(data, "it", member.value()).build());
        EchoNode node = EchoNode.builder(member)
                .transport(fixture.create(member))
                .journal(journal)
                .build()
                .start();
        // Batches sized for the smallest transport (UDP datagrams), as in ThreeMembersOverTheWireIT.
        GroupOptions.Builder options = GroupOptions.builder().multicast(true).tuning(Tuning.forDatagrams());
        MEMBERS.forEach(options::voter);
        delivered.put(member, new CopyOnWriteArrayList<>());
        views.put(member, new CopyOnWriteArrayList<>());
        confirmed.put(member, new CopyOnWriteArrayList<>());
        nodes.put(member, node);
        groups.put(member, node.join("vs", options.build(), new KvStateMachine(), new GroupListener() {
            @Override
            public void multicastDelivered(MemberId sender, long viewEpoch, byte[] payload) {
                delivered
                        .get(member)
                        .add(new String[] {Long.toString(viewEpoch), new String(payload, StandardCharsets.UTF_8)});
            }

            @Override
            public void multicastViewInstalled(MulticastView view) {
                views.get(member).add(view);
            }
        }));
    }
}
