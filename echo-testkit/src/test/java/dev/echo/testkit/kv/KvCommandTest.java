package dev.echo.testkit.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class KvCommandTest {
    @Test
    void everyKindSurvivesItsEncoding() {
        for (KvCommand command : List.of(
                KvCommand.put("k", "v"), KvCommand.get("k"), KvCommand.cas("k", "", "v"), KvCommand.put("", ""))) {
            assertEquals(command, KvCommand.decode(command.encode()));
        }
    }

    @Test
    void malformedBytesAreRefused() {
        for (String text : List.of("PUT\0k\0v", "PUT\0k\0v\0\0", "DEL\0k\0\0", "", "put\0k\0v\0")) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            assertThrows(IllegalArgumentException.class, () -> KvCommand.decode(bytes), text);
        }
    }

    /** The checker's shortcuts read encoded fields; they must say what the decoded commands say. */
    @Property(tries = 500)
    void fieldsReadInPlaceAgreeWithTheDecodedCommand(
            @ForAll("commands") KvCommand first, @ForAll("commands") KvCommand second, @ForAll("texts") String output) {
        byte[] encoded = first.encode();
        assertEquals(first.kind(), KvCommand.kindOf(encoded));
        assertEquals(
                first.value().equals(output), KvCommand.valueEquals(encoded, output.getBytes(StandardCharsets.UTF_8)));
        assertFalse(KvCommand.valueEquals(encoded, null));
        assertEquals(second.expected().equals(first.value()), KvCommand.expectedIsValueOf(second.encode(), encoded));
    }

    @Test
    void anUnknownKindIsRefusedByTheShortcutToo() {
        for (String text : List.of("DEL\0k\0\0", "put\0k\0v\0", "PUTS\0k\0v\0")) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            assertThrows(IllegalArgumentException.class, () -> KvCommand.kindOf(bytes), text);
        }
    }

    @Provide
    Arbitrary<KvCommand> commands() {
        return Combinators.combine(Arbitraries.of(KvCommand.Kind.values()), texts(), texts(), texts())
                .as(KvCommand::new);
    }

    /** Few distinct values, so that equal fields come up often; no NUL, which the encoding reserves. */
    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of("", "a", "b", "ab", "é", "v1", "v10");
    }
}
