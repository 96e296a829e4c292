package dev.echo.core;

import java.util.Objects;

/**
 * Where a peer listens: a host name or address and a port. Immutable.
 *
 * @param host the host name or literal address
 * @param port 1 to 65535
 */
public record PeerAddress(String host, int port) {
    /** Validates the port and requires a host. */
    public PeerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("peer host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("peer port must be 1..65535: " + port);
        }
    }

    /**
     * Parses {@code host:port} (IPv6 literals in brackets: {@code [::1]:7000}).
     *
     * @throws IllegalArgumentException naming the text when it is not of that form
     */
    public static PeerAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("address must be host:port: '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new PeerAddress(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("address must be host:port: '" + text + "'", notANumber);
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
