package dev.echo.transport.netty;

import dev.echo.core.transport.TransportException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * This member's TLS key and certificate, and the certificate authorities it trusts for its peers. Connections use
 * TLS 1.3 with mutual authentication: both sides present a certificate signed by a trusted authority, and (by
 * default) each certificate's common name must equal the member id its owner claims in the handshake.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class TlsCredentials {
    private static final String[] PROTOCOLS = {"TLSv1.3"};

    private final SslContext server;
    private final SslContext client;

    private TlsCredentials(SslContext server, SslContext client) {
        this.server = server;
        this.client = client;
    }

    /**
     * Builds credentials from key and trust manager factories.
     *
     * @throws TransportException {@code BAD_CREDENTIALS} if TLS cannot be set up with them
     */
    public static TlsCredentials of(KeyManagerFactory keys, TrustManagerFactory trust) throws TransportException {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(trust, "trust");
        try {
            SslContext server = SslContextBuilder.forServer(keys)
                    .trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols(PROTOCOLS)
                    .build();
            SslContext client = SslContextBuilder.forClient()
                    .keyManager(keys)
                    .trustManager(trust)
                    .protocols(PROTOCOLS)
                    .build();
            return new TlsCredentials(server, client);
        } catch (SSLException | IllegalArgumentException unusable) {
            throw new TransportException(
                    TransportException.Reason.BAD_CREDENTIALS,
                    "cannot set up TLS 1.3: " + unusable.getMessage(),
                    unusable);
        }
    }

    /**
     * Loads a PKCS#12 key store (this member's key and certificate chain) and a PKCS#12 trust store (the authorities
     * that sign peer certificates).
     *
     * @throws TransportException {@code BAD_CREDENTIALS} naming the file that is missing, unreadable or wrongly
     *     protected
     */
    public static TlsCredentials fromPkcs12(Path keyStore, char[] keyPassword, Path trustStore, char[] trustPassword)
            throws TransportException {
        KeyStore keys = load(keyStore, keyPassword);
        KeyStore trusted = load(trustStore, trustPassword);
        try {
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, keyPassword);
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            return of(keyManagers, trustManagers);
        } catch (GeneralSecurityException unusable) {
            throw new TransportException(
                    TransportException.Reason.BAD_CREDENTIALS,
                    "unusable key store " + keyStore + " or trust store " + trustStore + ": " + unusable.getMessage(),
                    unusable);
        }
    }

    private static KeyStore load(Path file, char[] password) throws TransportException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (IOException | GeneralSecurityException unreadable) {
            throw new TransportException(
                    TransportException.Reason.BAD_CREDENTIALS,
                    "cannot read PKCS#12 store " + file + ": " + unreadable.getMessage(),
                    unreadable);
        }
    }

    SslContext server() {
        return server;
    }

    SslContext client() {
        return client;
    }
}
