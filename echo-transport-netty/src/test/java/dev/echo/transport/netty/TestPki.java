package dev.echo.transport.netty;

import dev.echo.core.transport.TransportException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test keys made at test time with the JDK's {@code keytool} (no secrets in the repository): one certificate
 * authority, member certificates it signs (common name = member id), and "rogue" certificates that are self-signed,
 * i.e. from an authority the cluster does not trust. Generated once per JVM in a temporary directory.
 *
 * <p>Thread-safe: lazily created under the class lock.
 */
final class TestPki {
    private static final String PASSWORD = "test-only";
    private static TestPki instance;

    private final Path directory;

    private TestPki(Path directory) {
        this.directory = directory;
    }

    static synchronized TestPki get() {
        if (instance == null) {
            try {
                Path directory = Files.createTempDirectory("echo-test-pki");
                TestPki pki = new TestPki(directory);
                pki.createAuthority();
                for (String member : List.of("a", "b", "c", "n1", "n2", "n3", "n4")) {
                    pki.createMember(member);
                }
                pki.keytool(
                        "-genkeypair",
                        "-alias",
                        "rogue",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=b",
                        "-validity",
                        "2",
                        "-keystore",
                        pki.file("rogue-b.p12"));
                instance = pki;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** TLS credentials of {@code member}, trusting the test authority. */
    TlsCredentials credentials(String member) throws TransportException {
        return TlsCredentials.fromPkcs12(
                directory.resolve(member + ".p12"), password(), directory.resolve("trust.p12"), password());
    }

    /** Credentials claiming to be member b, self-signed: an authority the cluster does not trust. */
    TlsCredentials rogue() throws TransportException {
        return TlsCredentials.fromPkcs12(
                directory.resolve("rogue-b.p12"), password(), directory.resolve("trust.p12"), password());
    }

    private static char[] password() {
        return PASSWORD.toCharArray();
    }

    private void createAuthority() throws IOException {
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=echo-test-ca",
                "-ext",
                "bc:c",
                "-validity",
                "2",
                "-keystore",
                file("ca.p12"));
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", file("ca.pem"), "-keystore", file("ca.p12"));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.pem"), "-keystore", file("trust.p12"));
    }

    private void createMember(String member) throws IOException {
        String store = file(member + ".p12");
        keytool(
                "-genkeypair",
                "-alias",
                member,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + member,
                "-validity",
                "2",
                "-keystore",
                store);
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
