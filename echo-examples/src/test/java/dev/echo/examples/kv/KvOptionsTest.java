package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wrong echo-kv configuration is refused at start-up in one line that names the option and what is wrong with it
 * (the launcher prints it and exits), before anything listens or writes.
 */
class KvOptionsTest {
    @TempDir
    Path dir;

    private KvOptions parse(String... more) {
        String[] base = {"--id", "n1", "--data", dir.resolve("n1").toString(), "--client", "127.0.0.1:7101"};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return KvOptions.parse(args);
    }

    private String refusal(String... more) {
        return assertThrows(IllegalArgumentException.class, () -> parse(more)).getMessage();
    }

    @Test
    void wrongOptionsAreNamedInTheRefusal() {
        String key = dir.resolve("key").toString();
        assertEquals(
                "--members names n1 twice",
                refusal("--members", "n1=127.0.0.1:7001,n1=127.0.0.1:7002", "--key-file", key));
        assertEquals(
                "--members: peer port must be 1..65535: 99999 in '127.0.0.1:99999'",
                refusal("--members", "n1=127.0.0.1:99999", "--key-file", key));
        assertEquals(
                "--weights: the weight of n1 must be 1..65536: -3",
                refusal("--members", "n1=127.0.0.1:7001", "--key-file", key, "--weights", "n1=-3"));
        assertEquals(
                "--weights takes a whole number: 'x'",
                refusal("--members", "n1=127.0.0.1:7001", "--key-file", key, "--weights", "n1=x"));
        assertEquals(
                "--snapshot-every takes a whole number: 'abc'",
                refusal("--members", "n1=127.0.0.1:7001", "--key-file", key, "--snapshot-every", "abc"));
    }

    @Test
    void anUnusableKeyFileOrDataDirectoryIsRefusedByName() throws IOException {
        Path shortKey = Files.write(dir.resolve("short.key"), new byte[8]);
        assertEquals(
                "--key-file " + shortKey + ": a cluster key needs at least 16 bytes, this one has 8",
                startupRefusal(parse("--members", "n1=127.0.0.1:7001", "--key-file", shortKey.toString())));
        Path missing = dir.resolve("missing.key");
        assertEquals(
                "--key-file " + missing + ": no such file or directory",
                startupRefusal(parse("--members", "n1=127.0.0.1:7001", "--key-file", missing.toString())));
        Path key = Files.write(dir.resolve("good.key"), new byte[32]);
        Path aFile = Files.write(dir.resolve("a-file"), new byte[1]);
        String[] args = {
            "--id",
            "n1",
            "--data",
            aFile.toString(),
            "--client",
            "127.0.0.1:7101",
            "--members",
            "n1=127.0.0.1:7001",
            "--key-file",
            key.toString()
        };
        assertEquals("--data " + aFile + ": exists, and is not a directory", startupRefusal(KvOptions.parse(args)));
    }

    private static String startupRefusal(KvOptions options) {
        return assertThrows(IOException.class, () -> new EchoKv(options)).getMessage();
    }
}
