package dev.echo.testkit.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
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
}
