package dev.echo.core.transport;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns seeds given as bare addresses into members a joining machine can ask (PROTOCOL.md §8): it asks whoever listens
 * at each address who it is ({@link Transport#identify}), all at once, and keeps the seeds that answered. While none
 * answers it says so at WARN, naming each seed and why, and asks again, backing off from {@link #FIRST_BACKOFF} to
 * {@link #MAX_BACKOFF}, until its patience runs out.
 *
 * <p>Threading: {@link #resolve} blocks the calling thread (at most about its patience plus one round); call it at
 * start-up, after the transport started, never from a group loop or an I/O thread. Stateless; thread-safe.
 */
public final class SeedResolver {
    /** First wait after a round in which no seed answered. */
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    /** Longest wait between rounds. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    /** Longest wait for one round's answers: the transport's own connect and handshake timeouts end it sooner. */
    private static final Duration ROUND = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(SeedResolver.class);

    private SeedResolver() {}

    /**
     * The members listening at {@code seeds}, in the order given, once at least one answered. Seeds that did not
     * answer in that round are left out (logged at WARN): a joining machine needs one voter among its seeds.
     *
     * @param transport a started transport of this node
     * @param seeds one or more addresses of the group's members
     * @param patience how long to keep asking while no seed answers
     * @return member → the address it answered at (two addresses of one member: the first)
     * @throws TransportException {@code PEER_UNREACHABLE} or {@code PEER_REFUSED} once the patience ran out with no
     *     seed answering, naming each seed and why; {@code UNSUPPORTED} at once for a transport without addresses
     * @throws InterruptedException if interrupted while waiting
     */
    public static Map<MemberId, PeerAddress> resolve(Transport transport, List<PeerAddress> seeds, Duration patience)
            throws TransportException, InterruptedException {
        Objects.requireNonNull(transport, "transport");
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one seed is needed");
        }
        long deadline = System.nanoTime() + patience.toNanos();
        Duration backoff = FIRST_BACKOFF;
        for (int round = 1; ; round++) {
            Map<PeerAddress, CompletableFuture<MemberId>> asked = new LinkedHashMap<>();
            seeds.forEach(seed -> asked.putIfAbsent(seed, transport.identify(seed)));
            Map<MemberId, PeerAddress> answered = new LinkedHashMap<>();
            List<String> failures = new ArrayList<>();
            TransportException last = null;
            for (Map.Entry<PeerAddress, CompletableFuture<MemberId>> seed : asked.entrySet()) {
                try {
                    answered.putIfAbsent(seed.getValue().get(ROUND.toMillis(), TimeUnit.MILLISECONDS), seed.getKey());
                } catch (ExecutionException failed) {
                    last = asTransportException(seed.getKey(), failed.getCause());
                    if (last.reason() == TransportException.Reason.UNSUPPORTED) {
                        throw last;
                    }
                    failures.add(last.getMessage());
                } catch (TimeoutException silent) {
                    seed.getValue().cancel(false);
                    last = new TransportException(
                            TransportException.Reason.PEER_UNREACHABLE, "seed " + seed.getKey() + ": no answer", null);
                    failures.add(last.getMessage());
                }
            }
            if (!answered.isEmpty()) {
                if (!failures.isEmpty()) {
                    LOG.warn("Joining from the seeds that answered ({}); not from: {}", answered, failures);
                }
                return answered;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TransportException(
                        last.reason(),
                        "no seed answered in " + round + " rounds over " + patience + ": "
                                + String.join("; ", failures),
                        null);
            }
            long waitMillis = Math.min(backoff.toMillis(), TimeUnit.NANOSECONDS.toMillis(left) + 1);
            LOG.warn("No seed answered (round {}): {}; asking again in {} ms", round, failures, waitMillis);
            Thread.sleep(waitMillis);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private static TransportException asTransportException(PeerAddress seed, Throwable cause) {
        if (cause instanceof TransportException typed) {
            return typed;
        }
        return new TransportException(TransportException.Reason.PEER_UNREACHABLE, "seed " + seed + ": " + cause, cause);
    }
}
