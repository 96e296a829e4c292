package dev.echo.testkit.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 digest of a simulation's step-by-step transcript: every input, role, term, index and output of every
 * step, in order. Two builds of the core behave identically on a seed exactly when their digests match. Not
 * thread-safe.
 */
final class TranscriptDigest {
    private final MessageDigest digest;
    private final PrintStream stream;

    TranscriptDigest() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
        stream = new PrintStream(
                new DigestOutputStream(OutputStream.nullOutputStream(), digest), false, StandardCharsets.UTF_8);
    }

    /** Where the simulation writes its transcript. */
    PrintStream stream() {
        return stream;
    }

    /** The digest of everything written so far, in hex. */
    String hex() {
        stream.flush();
        return HexFormat.of().formatHex(digest.digest());
    }
}
