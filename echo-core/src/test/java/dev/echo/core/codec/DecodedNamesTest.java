package dev.echo.core.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.echo.core.MemberId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The codec's table of recent names: a hit is the same value, a shared slot never answers for another name. */
class DecodedNamesTest {
    @Test
    void aNameDecodedAgainIsTheSameInstanceAndTheBufferMovesPastIt() {
        MemberId first = DecodedNames.memberId(bytes("n1"), 2);
        ByteBuffer again = bytes("n1tail");
        assertSame(first, DecodedNames.memberId(again, 2));
        assertEquals(2, again.position());
        assertSame(DecodedNames.groupName(bytes("orders"), 6), DecodedNames.groupName(bytes("orders"), 6));
    }

    @Test
    void namesThatShareASlotAreEachDecodedAsThemselves() {
        // "Aa" and "BB" have the same String hash, so they share a slot: each must still come back as itself.
        assertEquals("Aa".hashCode(), "BB".hashCode());
        for (String name : new String[] {"Aa", "BB", "Aa", "BB"}) {
            assertEquals(MemberId.of(name), DecodedNames.memberId(bytes(name), 2));
            assertEquals(name, DecodedNames.groupName(bytes(name), 2));
        }
    }

    @Test
    void aPrefixOrALongerNameIsNotTakenForACachedOne() {
        DecodedNames.memberId(bytes("node"), 4);
        assertEquals(MemberId.of("nod"), DecodedNames.memberId(bytes("node"), 3));
        assertEquals(MemberId.of("node7"), DecodedNames.memberId(bytes("node7"), 5));
    }

    @Test
    void invalidNamesAreRefusedEveryTime() {
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThrows(IllegalArgumentException.class, () -> DecodedNames.memberId(bytes("n 1"), 3));
            assertThrows(IllegalArgumentException.class, () -> DecodedNames.groupName(bytes("a/b"), 3));
        }
        ByteBuffer nonAscii = ByteBuffer.wrap(new byte[] {'n', (byte) 0xB1});
        assertThrows(IllegalArgumentException.class, () -> DecodedNames.memberId(nonAscii, 2));
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
