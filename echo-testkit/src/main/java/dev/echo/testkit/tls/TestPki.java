package dev.echo.testkit.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test keys made at test time with the JDK's {@code keytool}, so that no secret sits in the repository: one
 * certificate authority, PKCS#12 key stores of members it signs (common name = member id, as the TLS transport
 * requires), and a "rogue" store claiming a member's name but self-signed, i.e. from an authority the cluster does
 * not trust. One instance per JVM, in a temporary directory; both the in-process transport tests and the
 * multi-process echo-kv tests use it.
 *
 * <p>Thread-safe: every method synchronizes on the instance. Blocking: making a member's store runs five
 * {@code keytool} processes (a JVM start each, about a second on a loaded machine).
 */
public final class TestPki {
    private static final String PASSWORD = "test-only";
    private static TestPki instance;

    private final Path directory;

    private TestPki(Path directory) {
        this.directory = directory;
    }

    /** The JVM's test authority, made on first use. */
    public static synchronized TestPki get() {
        if (instance == null) {
            try {
                TestPki pki = new TestPki(Files.createTempDirectory("echo-test-pki"));
                pki.createAuthority();
                instance = pki;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** The password of every store this authority makes. */
    public char[] password() {
        return PASSWORD.toCharArray();
    }

    /** The trust store holding the authority's certificate only. */
    public Path trustStore() {
        return directory.resolve("trust.p12");
    }

    /** The key store of {@code member}: its key and a certificate the authority signed, made on first use. */
    public synchronized Path keyStore(String member) {
        Path store = directory.resolve(member + ".p12");
        if (!Files.exists(store)) {
            try {
                createMember(member, store);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return store;
    }

    /** A key store claiming to be {@code member}, self-signed: an authority the cluster does not trust. */
    public synchronized Path rogueKeyStore(String member) {
        Path store = directory.resolve("rogue-" + member + ".p12");
        if (!Files.exists(store)) {
            try {
                keyPair("rogue", "CN=" + member, store.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return store;
    }

    private void createAuthority() throws IOException {
        keyPair("ca", "CN=echo-test-ca", file("ca.p12"), "-ext", "bc:c");
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", file("ca.pem"), "-keystore", file("ca.p12"));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.pem"), "-keystore", file("trust.p12"));
    }

    private void createMember(String member, Path target) throws IOException {
        // Built under a temporary name and moved into place, so a half-made store is never taken for a made one.
        String store = file(member + ".partial.p12");
        Files.deleteIfExists(Path.of(store));
        keyPair(member, "CN=" + member, store);
        keytool("-certreq", "-alias", member, "-file", file(member + ".csr"), "-keystore", store);
        keytool(
                "-gencert",
                "-alias",
                "ca",
                "-infile",
                file(member + ".csr"),
                "-outfile",
                file(member + ".pem"),
                "-rfc",
                "-validity",
                "2",
                "-keystore",
                file("ca.p12"));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.pem"), "-keystore", store);
        keytool("-importcert", "-alias", member, "-file", file(member + ".pem"), "-keystore", store);
        Files.move(Path.of(store), target);
    }

    /** A new P-256 key pair under {@code alias} in {@code store}, self-signed as {@code name} for two days. */
    private void keyPair(String alias, String name, String store, String... more) throws IOException {
        List<String> arguments = new ArrayList<>(
                List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", name));
        arguments.addAll(List.of(more));
        arguments.addAll(List.of("-validity", "2", "-keystore", store));
        keytool(arguments.toArray(String[]::new));
    }

    private String file(String name) {
        return directory.resolve(name).toString();
    }

    private void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", arguments) + " failed: " + output);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", interrupted);
        }
    }
}
