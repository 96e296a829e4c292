package dev.echo.core.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Domains;
import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.MembershipChange;
import dev.echo.core.protocol.Message;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The wire codec (PROTOCOL.md §10): every message type round-trips, and garbage (random, truncated, bit-flipped or
 * oversized bytes) gives a typed {@link CodecException}, never another exception and never an allocation sized by
 * the attacker.
 */
class MessageCodecProperties {
    private static final int MAX_MESSAGE = 64 * 1024;
    private final MessageCodec codec =
            new MessageCodec(EnvelopeArbitraries.MAX_COMMAND, EnvelopeArbitraries.MAX_ENTRIES, MAX_MESSAGE);

    @Provide
    Arbitrary<Envelope> envelopes() {
        return EnvelopeArbitraries.envelopes();
    }

    @Property(tries = 2000)
    void everyMessageRoundTrips(@ForAll("envelopes") Envelope envelope) throws CodecException {
        byte[] bytes = encode(envelope);
        assertEquals(codec.encodedSize(envelope), bytes.length);
        Envelope decoded = codec.decode(ByteBuffer.wrap(bytes));
        assertEquals(envelope, decoded);
        // Equality of records holding byte arrays is by content only for Command; compare the bytes as well.
        assertArrayEquals(bytes, encode(decoded));
    }

    @Property(tries = 300)
    void everyStrictPrefixIsRefused(@ForAll("envelopes") Envelope envelope) {
        byte[] bytes = encode(envelope);
        for (int length = 0; length < bytes.length; length++) {
            ByteBuffer prefix = ByteBuffer.wrap(bytes, 0, length).slice();
            assertThrows(CodecException.class, () -> codec.decode(prefix), "prefix of " + length);
        }
    }

    @Property(tries = 2000)
    void bitFlipsDecodeOrAreRefusedWithATypedError(
            @ForAll("envelopes") Envelope envelope, @ForAll @IntRange(min = 0, max = 1 << 20) int position) {
        byte[] bytes = encode(envelope);
        int bit = position % (bytes.length * 8);
        bytes[bit / 8] ^= (byte) (1 << (bit % 8));
        decodeOrTypedError(bytes);
    }

    @Property(tries = 3000)
    void randomBytesDecodeOrAreRefusedWithATypedError(@ForAll @Size(max = 600) byte[] bytes) {
        decodeOrTypedError(bytes);
        // The same bytes behind a valid header reach the body decoders, not just the version check.
        byte[] withHeader = new byte[bytes.length + 20];
        ByteBuffer.wrap(withHeader)
                .put(MessageCodec.VERSION)
                .put((byte) (1 + Math.floorMod(bytes.length, 10)))
                .put((byte) 1)
                .put((byte) 'g')
                .put((byte) 1)
                .put((byte) 'a')
                .putLong(0)
                .put(bytes);
        decodeOrTypedError(withHeader);
    }

    @Example
    void aForgedEntryCountIsRefusedBeforeAnythingIsAllocated() {
        MessageCodec generous = new MessageCodec(16, Integer.MAX_VALUE, MAX_MESSAGE);
        Envelope append = new Envelope("g", 0, new Message.AppendRequest(MemberId.of("a"), 1, 0, 0, List.of(), 0, 0));
        byte[] bytes = encode(generous, append);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, Integer.MAX_VALUE);
        CodecException refused = assertThrows(CodecException.class, () -> generous.decode(ByteBuffer.wrap(bytes)));
        assertEquals(CodecException.Reason.TRUNCATED, refused.reason());
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, EnvelopeArbitraries.MAX_ENTRIES + 1);
        refused = assertThrows(CodecException.class, () -> codec.decode(ByteBuffer.wrap(bytes)));
        assertEquals(CodecException.Reason.OVERSIZED, refused.reason());
    }

    @Example
    void aCommandAboveTheLimitIsRefused() {
        MessageCodec generous = new MessageCodec(1024, 4, MAX_MESSAGE);
        Envelope forward = new Envelope(
                "g", 0, new Message.ForwardRequest(MemberId.of("a"), 1, new Entry.Command(1, 1, 0, new byte[1024])));
        byte[] bytes = encode(generous, forward);
        MessageCodec strict = new MessageCodec(1023, 4, MAX_MESSAGE);
        CodecException refused = assertThrows(CodecException.class, () -> strict.decode(ByteBuffer.wrap(bytes)));
        assertEquals(CodecException.Reason.OVERSIZED, refused.reason());
        assertThrows(IllegalArgumentException.class, () -> encode(strict, forward));
    }

    @Example
    void aMessageAboveTheSizeLimitIsNeitherEncodedNorDecoded() {
        MessageCodec small = new MessageCodec(4096, 4, 256);
        Envelope big = new Envelope(
                "g", 0, new Message.ForwardRequest(MemberId.of("a"), 1, new Entry.Command(1, 1, 0, new byte[300])));
        assertThrows(IllegalArgumentException.class, () -> encode(small, big));
        CodecException refused =
                assertThrows(CodecException.class, () -> small.decode(ByteBuffer.wrap(encode(codec, big))));
        assertEquals(CodecException.Reason.OVERSIZED, refused.reason());
    }

    /** The wire codes are part of the format: pinned here, so a renumbering fails a test before it ships. */
    @Example
    void wireCodesAreFixedAndDistinct() {
        Message.Kind[] kinds = Message.Kind.values();
        assertEquals(18, kinds.length, "a new kind needs its code pinned here");
        for (Message.Kind kind : kinds) {
            assertEquals(kind, Message.Kind.ofCode(kind.code()));
        }
        assertEquals(1, Message.Kind.PRE_VOTE_REQUEST.code());
        assertEquals(5, Message.Kind.APPEND_REQUEST.code());
        assertEquals(14, Message.Kind.INSTALL_SNAPSHOT_RESPONSE.code());
        assertEquals(15, Message.Kind.MULTICAST_SEND.code());
        assertEquals(18, Message.Kind.MULTICAST_REPORT_REQUEST.code());
        int known = 0;
        for (int code = 0; code < 256; code++) {
            Message.Kind kind = Message.Kind.ofCode((byte) code);
            if (kind != null) {
                assertEquals((byte) code, kind.code());
                known++;
            }
        }
        assertEquals(kinds.length, known, "codes are distinct");
    }

    @Example
    void unknownVersionsAndTypesAreTyped() {
        byte[] bytes = encode(new Envelope("g", 0, new Message.TimeoutNow(MemberId.of("a"), 1)));
        bytes[0] = MessageCodec.VERSION + 1;
        assertEquals(CodecException.Reason.UNSUPPORTED_VERSION, reasonFor(bytes));
        bytes[0] = MessageCodec.VERSION - 1; // voters without incarnations: refused, never misread
        assertEquals(CodecException.Reason.UNSUPPORTED_VERSION, reasonFor(bytes));
        bytes[0] = MessageCodec.VERSION;
        bytes[1] = 99;
        assertEquals(CodecException.Reason.UNKNOWN_TYPE, reasonFor(bytes));
    }

    /** Edits made together are a count and single edits: an empty or nested list is refused with a type. */
    @Example
    void aChangeOfSeveralEditsIsBoundedAndFlat() throws CodecException {
        MembershipChange.Remove removeA = new MembershipChange.Remove(MemberId.of("a"));
        MembershipChange together = new MembershipChange.Together(List.of(removeA));
        byte[] single = encode(membershipRequest(removeA));
        byte[] bytes = encode(membershipRequest(together));
        assertEquals(membershipRequest(together), codec.decode(ByteBuffer.wrap(bytes)));
        int kind = 0;
        while (single[kind] == bytes[kind]) { // the same message up to the change's kind
            kind++;
        }
        bytes[kind + 1] = 0;
        assertEquals(CodecException.Reason.INVALID_VALUE, reasonFor(bytes), "no edits");
        bytes[kind + 1] = 1;
        bytes[kind + 2] = bytes[kind];
        assertEquals(CodecException.Reason.UNKNOWN_TYPE, reasonFor(bytes), "a list inside a list");
    }

    private static Envelope membershipRequest(MembershipChange change) {
        return new Envelope("g", 0, new Message.MembershipRequest(MemberId.of("b"), 1, 7, change));
    }

    @Property(tries = 500)
    void termsIndexesAndIncarnationsOutsideTheirDomainAreRefused(
            @ForAll("outOfDomain") long value, @ForAll @IntRange(min = 0, max = 2) int field) {
        MemberId from = MemberId.of("intruder");
        Envelope envelope =
                switch (field) {
                    case 0 -> new Envelope("g", 0, new Message.TimeoutNow(from, 1)); // the term
                    case 1 -> new Envelope("g", 0, new Message.VoteRequest(from, 5, 1, 1, false)); // last index
                    default -> new Envelope("g", 0, new Message.PreVoteRequest(from, 5, 1, 1)); // the incarnation
                };
        byte[] bytes = encode(envelope);
        ByteBuffer patch = ByteBuffer.wrap(bytes);
        int header = 2 + 1 + 1 + 1 + from.value().length(); // version, type, group, member id
        int offset =
                switch (field) {
                    case 0 -> header + 8;
                    case 1 -> header + 16;
                    default -> header;
                };
        patch.putLong(offset, value);
        assertEquals(CodecException.Reason.INVALID_VALUE, reasonFor(bytes));
    }

    @Provide
    Arbitrary<Long> outOfDomain() {
        return Arbitraries.oneOf(List.of(
                Arbitraries.longs().between(Domains.LIMIT, Long.MAX_VALUE),
                Arbitraries.longs().between(Long.MIN_VALUE, -1),
                Arbitraries.of(Domains.LIMIT, Long.MAX_VALUE, -1L, Long.MIN_VALUE)));
    }

    private CodecException.Reason reasonFor(byte[] bytes) {
        return assertThrows(CodecException.class, () -> codec.decode(ByteBuffer.wrap(bytes)))
                .reason();
    }

    private void decodeOrTypedError(byte[] bytes) {
        try {
            Envelope decoded = codec.decode(ByteBuffer.wrap(bytes));
            // Whatever decodes must be a value the codec itself would write the same way.
            assertArrayEquals(bytes, encode(decoded));
        } catch (CodecException typed) {
            // Refused with a reason: the expected outcome for almost all garbage.
        }
    }

    private byte[] encode(Envelope envelope) {
        return encode(codec, envelope);
    }

    private static byte[] encode(MessageCodec codec, Envelope envelope) {
        ByteBuffer out = ByteBuffer.allocate(codec.encodedSize(envelope));
        codec.encode(envelope, out);
        assertEquals(0, out.remaining());
        return out.array();
    }
}
