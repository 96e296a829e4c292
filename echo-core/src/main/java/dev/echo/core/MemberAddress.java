package dev.echo.core;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Where a member can be reached, as its configuration records it (PROTOCOL.md §8: members are machines): the peer
 * endpoints it advertises, first one preferred, and a little opaque application metadata (echo-kv puts its client
 * address there). Addresses travel in configuration entries, snapshots and views, so a node learns how to reach an
 * added member from the log rather than from its start-up list. Immutable and thread-safe.
 *
 * @param endpoints the member's peer endpoints, 1..{@link #MAX_ENDPOINTS}, the first preferred
 * @param metadata application metadata, at most {@link #MAX_METADATA_BYTES} bytes; copied in and out
 */
public record MemberAddress(List<PeerAddress> endpoints, byte[] metadata) {
    /** Most endpoints one member advertises. */
    public static final int MAX_ENDPOINTS = 4;

    /** Longest host of an endpoint: a DNS name has at most 253 characters. */
    public static final int MAX_HOST_CHARACTERS = 253;

    /** Most bytes of application metadata per member: it is carried in every configuration entry and view. */
    public static final int MAX_METADATA_BYTES = 1024;

    /** Validates and copies. */
    public MemberAddress {
        endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
        if (endpoints.isEmpty() || endpoints.size() > MAX_ENDPOINTS) {
            throw new IllegalArgumentException(
                    "a member advertises 1.." + MAX_ENDPOINTS + " endpoints: " + endpoints.size());
        }
        for (PeerAddress endpoint : endpoints) {
            if (!isHostName(endpoint.host())) {
                throw new IllegalArgumentException("a host must be 1.." + MAX_HOST_CHARACTERS
                        + " printable ASCII characters (an international name in its xn-- form): " + endpoint);
            }
        }
        metadata = Objects.requireNonNull(metadata, "metadata").clone();
        if (metadata.length > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException(
                    "member metadata of " + metadata.length + " bytes exceeds " + MAX_METADATA_BYTES);
        }
    }

    /**
     * Whether {@code host} is 1..{@link #MAX_HOST_CHARACTERS} printable ASCII characters: a DNS name, an IPv4 or IPv6
     * literal. One text has one encoding, which keeps a configuration's bytes the same at every member.
     */
    public static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > MAX_HOST_CHARACTERS) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** A member reachable at {@code endpoint}, with no metadata. */
    public static MemberAddress of(PeerAddress endpoint) {
        return new MemberAddress(List.of(endpoint), new byte[0]);
    }

    /** A member reachable at {@code endpoint}, with application {@code metadata}. */
    public static MemberAddress of(PeerAddress endpoint, byte[] metadata) {
        return new MemberAddress(List.of(endpoint), metadata);
    }

    /** The preferred endpoint: where peers connect first. */
    public PeerAddress endpoint() {
        return endpoints.get(0);
    }

    /** A copy of the application metadata. */
    @Override
    public byte[] metadata() {
        return metadata.clone();
    }

    /** Length of the metadata, without copying it. */
    public int metadataLength() {
        return metadata.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MemberAddress that
                && endpoints.equals(that.endpoints)
                && Arrays.equals(metadata, that.metadata);
    }

    @Override
    public int hashCode() {
        return 31 * endpoints.hashCode() + Arrays.hashCode(metadata);
    }

    @Override
    public String toString() {
        return metadata.length == 0
                ? endpoints.toString()
                : endpoints + " metadata=" + HexFormat.of().formatHex(metadata);
    }
}
