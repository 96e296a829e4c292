package dev.echo.testkit.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.protocol.Configuration;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Message;
import dev.echo.core.protocol.Voter;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportException;
import dev.echo.core.transport.TransportMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Transport} must do, whatever carries the bytes: deliver every message type intact between
 * members, carry messages up to its maximum size and drop (and count) larger ones, recover when a peer restarts,
 * never block a sender and bound what an absent peer costs, and refuse garbage without delivering anything or
 * stopping. Extend it with a {@link Fixture} for your transport.
 *
 * <p>Delivery is checked the way the protocol uses a transport: a message not yet seen is sent again, so a lossy
 * transport (UDP) passes as long as messages get through eventually.
 *
 * <p>JUnit runs each test on one thread; the transports under test run their own threads, and every wait for a delivery is bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportConformance {
    /** Members every fixture must know: each one's transport can reach the others. */
    protected static final MemberId A = MemberId.of("a");
    /** Second member. */
    protected static final MemberId B = MemberId.of("b");
    /** Third member. */
    protected static final MemberId C = MemberId.of("c");

    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final String GROUP = "conformance";

    private Fixture fixture;
    private final Map<MemberId, Transport> running = new HashMap<>();
    private final Map<MemberId, Inbox> inboxes = new HashMap<>();

    /**
     * Creates transports of the implementation under test. Called once per test.
     *
     * <p>Not thread-safe; used from the test thread only.
     */
    public interface Fixture extends AutoCloseable {
        /** The codec (and so the limits) every transport of this fixture uses. */
        MessageCodec codec();

        /** A new, unstarted transport for {@code member} (A, B or C); a re-created member keeps its address. */
        Transport create(MemberId member) throws Exception;

        /** Delivers raw bytes to the started transport of {@code target} the way its network would. */
        void injectGarbage(MemberId target, byte[] bytes) throws Exception;

        /**
         * How many messages to a peer that is down a transport may accept before it must start refusing them, or -1
         * if it hands them to the network regardless (as UDP does).
         */
        int queueBound();

        @Override
        default void close() throws IOException {}
    }

    /** The fixture for this test. */
    protected abstract Fixture createFixture() throws Exception;

    @BeforeEach
    void createFixtureForTest() throws Exception {
        fixture = createFixture();
    }

    @AfterEach
    void closeEverything() throws Exception {
        running.values().forEach(Transport::close);
        fixture.close();
    }

    @Test
    void deliversEveryMessageTypeIntactInBothDirections() throws Exception {
        start(A);
        start(B);
        sendUntilDelivered(A, B, everyMessageType(A));
        sendUntilDelivered(B, A, everyMessageType(B));
        TransportMetrics sender = running.get(A).metrics();
        assertTrue(sender.messagesOut() >= everyMessageType(A).size(), sender.toString());
        assertTrue(sender.bytesOut() > 0, sender.toString());
        assertTrue(running.get(B).metrics().messagesIn() >= everyMessageType(A).size());
    }

    @Test
    void carriesAMessageOfTheMaximumSize() throws Exception {
        start(A);
        start(B);
        Envelope largest = appendOfSize(A, fixture.codec().maxMessageBytes());
        assertEquals(fixture.codec().maxMessageBytes(), fixture.codec().encodedSize(largest));
        sendUntilDelivered(A, B, List.of(largest));
        // Delivered on the first connection: a healthy peer's frames are never refused as malformed, not even the
        // first ones after the handshake, which may share a read with its end.
        assertEquals(0, running.get(B).metrics().decodeErrors(), "frames of a healthy peer refused");
    }

    @Test
    void dropsAndCountsAMessageAboveTheMaximumSize() throws Exception {
        start(A);
        start(B);
        Envelope tooLarge = appendOfSize(A, fixture.codec().maxMessageBytes() + 1);
        long droppedBefore = running.get(A).metrics().dropped();
        assertFalse(running.get(A).send(B, tooLarge));
        assertEquals(droppedBefore + 1, running.get(A).metrics().dropped());
        sendUntilDelivered(A, B, List.of(heartbeat(A, 1)));
        assertFalse(inboxes.get(B).contains(tooLarge));
    }

    @Test
    void recoversWhenAPeerRestarts() throws Exception {
        start(A);
        start(B);
        sendUntilDelivered(A, B, List.of(heartbeat(A, 1)));
        running.remove(B).close();
        for (int i = 0; i < 10; i++) {
            running.get(A).send(B, heartbeat(A, 100 + i)); // into the void: dropped, queued or lost
        }
        start(B);
        sendUntilDelivered(A, B, List.of(heartbeat(A, 2)));
        sendUntilDelivered(B, A, List.of(heartbeat(B, 3)));
    }

    @Test
    void neverBlocksASenderAndBoundsWhatADownPeerCosts() throws Exception {
        start(A);
        start(C);
        int attempts = 20_000;
        int accepted = 0;
        for (int i = 0; i < attempts; i++) {
            if (running.get(A).send(B, heartbeat(A, i + 1))) {
                accepted++;
            }
        }
        if (fixture.queueBound() >= 0) {
            assertTrue(accepted <= fixture.queueBound(), accepted + " accepted for a down peer");
            assertTrue(running.get(A).metrics().dropped() >= attempts - fixture.queueBound());
        }
        // A peer that is down holds up nobody else.
        sendUntilDelivered(A, C, List.of(heartbeat(A, 1)));
    }

    @Test
    void refusesGarbageDeliversNothingAndKeepsWorking() throws Exception {
        start(A);
        start(B);
        Random random = new Random(42);
        for (byte[] garbage : garbage(random)) {
            long refusedBefore = refusals(running.get(B).metrics());
            fixture.injectGarbage(B, garbage);
            assertTrue(
                    Inbox.await(() -> refusals(running.get(B).metrics()) > refusedBefore, PATIENCE),
                    "garbage of " + garbage.length + " bytes was not counted: "
                            + running.get(B).metrics());
        }
        assertEquals(List.of(), inboxes.get(B).all());
        sendUntilDelivered(A, B, List.of(heartbeat(A, 7)));
    }

    @Test
    void dropsAndCountsMessagesToUnknownMembersOrBeforeStart() throws Exception {
        Transport a = fixture.create(A);
        running.put(A, a);
        assertFalse(a.send(B, heartbeat(A, 1)), "sent before start");
        inboxes.put(A, new Inbox());
        a.start(inboxes.get(A));
        assertFalse(a.send(MemberId.of("stranger"), heartbeat(A, 1)));
        assertEquals(2, a.metrics().dropped());
        TransportException twice = assertThrows(TransportException.class, () -> a.start(new Inbox()));
        assertEquals(TransportException.Reason.ILLEGAL_STATE, twice.reason());
    }

    @Test
    void closeIsIdempotentAndStopsSending() throws Exception {
        start(A);
        Transport a = running.get(A);
        a.close();
        a.close();
        assertFalse(a.send(B, heartbeat(A, 1)));
    }

    /** Starts {@code member} with a fresh inbox. */
    protected final void start(MemberId member) throws Exception {
        Transport transport = fixture.create(member);
        Inbox inbox = new Inbox();
        transport.start(inbox);
        running.put(member, transport);
        inboxes.put(member, inbox);
    }

    /** Sends each envelope until it has arrived, resending the missing ones as the protocol would. */
    protected final void sendUntilDelivered(MemberId from, MemberId to, List<Envelope> envelopes) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        List<Envelope> missing = new ArrayList<>(envelopes);
        while (!missing.isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "not delivered " + from + "→" + to + ": " + missing);
            for (Envelope envelope : missing) {
                running.get(from).send(to, envelope);
            }
            Inbox inbox = inboxes.get(to);
            Inbox.await(() -> missing.stream().allMatch(inbox::contains), Duration.ofMillis(200));
            missing.removeIf(inbox::contains);
        }
    }

    private static long refusals(TransportMetrics metrics) {
        return metrics.decodeErrors() + metrics.authFailures() + metrics.handshakeRefusals();
    }

    /** Byte strings no transport may accept: a hostile length, a framed random body, a zeroed block. */
    private static List<byte[]> garbage(Random random) {
        List<byte[]> cases = new ArrayList<>();
        for (int size : new int[] {8, 300, 5000}) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            bytes[0] = 0x7F; // a huge length prefix, an unknown version, a bad magic
            cases.add(bytes);
        }
        byte[] framed = new byte[4 + 100];
        random.nextBytes(framed);
        ByteBuffer.wrap(framed).putInt(100);
        cases.add(framed);
        return cases;
    }

    /** One message of every type from {@code from}. */
    protected static List<Envelope> everyMessageType(MemberId from) {
        Configuration configuration = new Configuration(
                List.of(new Voter(A, 2), new Voter(B, 1), new Voter(C, 1)), new TreeSet<>(List.of(MemberId.of("d"))));
        List<Entry> entries = List.of(
                new Entry(5, 2, new Entry.NoOp()),
                new Entry(6, 2, new Entry.OpenSession(77)),
                new Entry(7, 2, new Entry.Command(77, 3, 2, new byte[] {1, 2, 3})),
                new Entry(8, 2, new Entry.ConfigurationChange(configuration)));
        List<Message> messages = List.of(
                new Message.PreVoteRequest(from, 3, 9, 2),
                new Message.PreVoteResponse(from, 3, true),
                new Message.VoteRequest(from, 3, 9, 2, true),
                new Message.VoteResponse(from, 3, false),
                new Message.AppendRequest(from, 2, 4, 1, entries, 4, 11),
                new Message.AppendResponse(from, 2, true, 8, 0, 0, 11),
                new Message.TimeoutNow(from, 2),
                new Message.ForwardRequest(from, 2, new Entry.Command(78, 1, 0, new byte[] {9})),
                new Message.ReadIndexRequest(from, 2, 5),
                new Message.ReadIndexResponse(from, 2, 5, 8));
        List<Envelope> envelopes = new ArrayList<>();
        for (Message message : messages) {
            envelopes.add(new Envelope(GROUP, 1, message));
        }
        return envelopes;
    }

    /** A heartbeat whose commit index tells it apart from others. */
    protected static Envelope heartbeat(MemberId from, long marker) {
        return new Envelope(GROUP, 1, new Message.AppendRequest(from, 1, 0, 0, List.of(), marker, 0));
    }

    /** An AppendRequest whose encoding is exactly {@code size} bytes, each command within the codec's limit. */
    private Envelope appendOfSize(MemberId from, int size) {
        MessageCodec codec = fixture.codec();
        List<Entry> entries = new ArrayList<>();
        while (true) {
            int base = codec.encodedSize(withCommand(from, entries, 0));
            int remaining = size - base;
            if (remaining <= codec.maxCommandBytes()) {
                return withCommand(from, entries, remaining);
            }
            entries.add(command(entries.size() + 1, codec.maxCommandBytes()));
        }
    }

    private static Envelope withCommand(MemberId from, List<Entry> entries, int commandBytes) {
        List<Entry> all = new ArrayList<>(entries);
        all.add(command(all.size() + 1, commandBytes));
        return new Envelope(GROUP, 1, new Message.AppendRequest(from, 1, 0, 0, all, 0, 0));
    }

    private static Entry command(long index, int bytes) {
        return new Entry(index, 1, new Entry.Command(1, index, 0, new byte[bytes]));
    }
}
