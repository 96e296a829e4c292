package dev.echo.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportListener;
import dev.echo.core.transport.TransportMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md §8: transports learn peers from the configurations in force, and forget them after a grace. */
class PeerBookTest {
    private static final MemberId SELF = MemberId.of("a");
    private static final MemberId B = MemberId.of("b");
    private static final MemberId C = MemberId.of("c");
    private static final PeerAddress AT_1 = new PeerAddress("10.0.0.1", 7000);
    private static final PeerAddress AT_2 = new PeerAddress("10.0.0.2", 7000);
    private static final PeerAddress AT_3 = new PeerAddress("10.0.0.3", 7000);

    private final List<String> calls = new ArrayList<>();
    private final PeerBook book = new PeerBook(SELF, new RecordingTransport());

    @Test
    void peersAreToldOnceAndAgainOnlyWhenTheyMove() {
        book.learn("g", Map.of(SELF, AT_1, B, AT_2), 0);
        book.learn("g", Map.of(SELF, AT_1, B, AT_2), 1);
        book.learn("g", Map.of(B, AT_3), 2);
        assertEquals(List.of("update b 10.0.0.2:7000", "update b 10.0.0.3:7000"), calls, "never itself");
    }

    @Test
    void aMemberThatLeftEveryConfigurationIsForgottenAfterTheGrace() {
        book.learn("g", Map.of(B, AT_2, C, AT_3), 0);
        book.learn("h", Map.of(C, AT_3), 0);
        calls.clear();
        book.learn("g", Map.of(B, AT_2), 100);
        book.expire(100 + PeerBook.GRACE_NANOS);
        assertEquals(List.of(), calls, "c is still in group h");

        book.forgetGroup("h", 200);
        book.expire(200 + PeerBook.GRACE_NANOS - 1);
        assertEquals(
                List.of(), calls, "a removed member stays reachable during the grace: it must hear of its removal");
        book.expire(200 + PeerBook.GRACE_NANOS);
        assertEquals(List.of("forget c"), calls);
        book.expire(300 + PeerBook.GRACE_NANOS);
        assertEquals(List.of("forget c"), calls, "forgotten once");
    }

    @Test
    void aMemberBackWithinTheGraceIsKept() {
        book.learn("g", Map.of(B, AT_2), 0);
        book.learn("g", Map.of(), 10);
        book.learn("g", Map.of(B, AT_2), 20);
        book.expire(10 + PeerBook.GRACE_NANOS);
        assertEquals(List.of("update b 10.0.0.2:7000"), calls);
    }

    private final class RecordingTransport implements Transport {
        @Override
        public MemberId self() {
            return SELF;
        }

        @Override
        public void start(TransportListener listener) {}

        @Override
        public boolean send(MemberId to, Envelope envelope) {
            return false;
        }

        @Override
        public void updatePeer(MemberId member, PeerAddress address) {
            calls.add("update " + member + " " + address);
        }

        @Override
        public void forgetPeer(MemberId member) {
            calls.add("forget " + member);
        }

        @Override
        public MessageCodec codec() {
            return new MessageCodec(1 << 16, 64, 1 << 10);
        }

        @Override
        public TransportMetrics metrics() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
