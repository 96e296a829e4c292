package dev.echo.bench;

import dev.echo.core.MemberId;
import dev.echo.core.codec.CodecException;
import dev.echo.core.codec.Envelope;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode of each message kind that matters for throughput, through {@link MessageCodec} into a reused
 * buffer: an AppendRequest with 1 or 64 commands of 116 bytes (the end-to-end benchmark's key and value), its
 * AppendResponse, a heartbeat (empty AppendRequest), a VoteRequest and a forwarded command. Run:
 * {@code bin/echo-bench jmh Codec}.
 *
 * <p>JMH state of scope {@code Benchmark}, meant for one measuring thread (the buffer is reused): run it with the default single thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    @Param({"append1", "append64", "heartbeat", "appendResponse", "voteRequest", "forward"})
    String kind;

    private final MessageCodec codec = MessageCodec.defaults();
    private Envelope envelope;
    private ByteBuffer encoded;
    private ByteBuffer scratch;

    @Setup
    public void setUp() {
        MemberId from = MemberId.of("n1");
        byte[] command = new byte[116];
        envelope = new Envelope(
                "bench",
                1,
                switch (kind) {
                    case "append1" -> new Message.AppendRequest(from, 3, 99, 3, commands(1, command), 98, 0);
                    case "append64" -> new Message.AppendRequest(from, 3, 99, 3, commands(64, command), 98, 0);
                    case "heartbeat" -> new Message.AppendRequest(from, 3, 99, 3, List.of(), 98, 0);
                    case "appendResponse" -> new Message.AppendResponse(from, 3, true, 163, 0, 0, 0);
                    case "voteRequest" -> new Message.VoteRequest(from, 4, 163, 3, false);
                    case "forward" -> new Message.ForwardRequest(from, 3, new Entry.Command(7, 42, 41, command));
                    default -> throw new IllegalArgumentException(kind);
                });
        scratch = ByteBuffer.allocate(codec.encodedSize(envelope));
        encoded = ByteBuffer.allocate(codec.encodedSize(envelope));
        codec.encode(envelope, encoded);
        encoded.flip();
    }

    private static List<Entry> commands(int count, byte[] command) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(new Entry(100 + i, 3, new Entry.Command(7, 42 + i, 41 + i, command)));
        }
        return entries;
    }

    @Benchmark
    public ByteBuffer encode() {
        scratch.clear();
        codec.encode(envelope, scratch);
        return scratch;
    }

    @Benchmark
    public Envelope decode() throws CodecException {
        return codec.decode(encoded.duplicate());
    }
}
