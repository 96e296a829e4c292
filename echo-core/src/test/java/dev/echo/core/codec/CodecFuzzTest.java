package dev.echo.core.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Fuzz targets for the wire and disk codecs (PROTOCOL.md §10): any bytes either decode to a value that encodes back
 * to exactly those bytes, or are refused with a typed {@link CodecException}; nothing else may escape. Under
 * {@code ./mvnw test} they replay their regression inputs (src/test/resources/.../CodecFuzzTestInputs); to fuzz, see
 * docs/testing.md ("Fuzzing").
 */
class CodecFuzzTest {
    private final MessageCodec codec = new MessageCodec(4096, 64, 64 * 1024);
    private final EntryCodec entries = new EntryCodec(4096);

    @FuzzTest(maxDuration = "10m")
    void messages(byte[] bytes) {
        Envelope decoded;
        try {
            decoded = codec.decode(ByteBuffer.wrap(bytes));
        } catch (CodecException refused) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(codec.encodedSize(decoded));
        codec.encode(decoded, out);
        assertArrayEquals(bytes, out.array(), "a decoded message must encode back to the same bytes");
    }

    @FuzzTest(maxDuration = "10m")
    void entriesAndHardState(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            var entry = entries.readEntry(in);
            EntryCodec.requireFullyRead(in, "entry");
            ByteBuffer out = ByteBuffer.allocate(entries.entrySize(entry));
            entries.writeEntry(entry, out);
            assertArrayEquals(bytes, out.array(), "a decoded entry must encode back to the same bytes");
        } catch (CodecException refused) {
            // typed: the expected answer to garbage
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            EntryCodec.readHardState(in);
            EntryCodec.requireFullyRead(in, "hard state");
        } catch (CodecException refused) {
            // typed: the expected answer to garbage
        }
    }
}
