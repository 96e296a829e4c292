package dev.echo.transport.netty;

import dev.echo.core.MemberId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a cluster's machines find each other on one LAN ({@link LanDiscovery}, PROTOCOL.md §8, "Discovery"). Every
 * machine of the cluster uses the same multicast group, cluster id and cluster key. Immutable; thread-safe.
 *
 * @param clusterId the cluster's id: questions and answers of another cluster are ignored
 * @param key the cluster key every question and answer is tagged with (with TLS too: discovery has no certificates)
 * @param group the multicast group and port, e.g. 239.255.77.1:7799 (administratively scoped: it stays in the site)
 * @param networkInterface the interface to multicast on and listen at, by name (e.g. eth0); empty: the system's default
 *     interface for multicast
 * @param hops how many routers a question may cross (the IP TTL): 1, the default, keeps it on the local network
 * @param firstRound how long a search waits for answers to its first question; later rounds wait twice as long as the
 *     one before, up to ten times this
 */
public record DiscoveryOptions(
        String clusterId,
        ClusterKey key,
        InetSocketAddress group,
        Optional<String> networkInterface,
        int hops,
        Duration firstRound) {
    /** Validates every field. */
    public DiscoveryOptions {
        MemberId.requireName(clusterId, "cluster id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(networkInterface, "networkInterface");
        Objects.requireNonNull(firstRound, "firstRound");
        if (group.isUnresolved() || !group.getAddress().isMulticastAddress()) {
            throw new IllegalArgumentException("the discovery group must be a multicast address (224.0.0.0/4 or"
                    + " ff00::/8), e.g. 239.255.77.1:7799: " + group);
        }
        if (group.getPort() == 0) {
            throw new IllegalArgumentException("the discovery group needs a port: " + group);
        }
        if (hops < 1 || hops > 255) {
            throw new IllegalArgumentException("hops must be 1..255: " + hops);
        }
        if (firstRound.isNegative() || firstRound.isZero()) {
            throw new IllegalArgumentException("firstRound must be positive: " + firstRound);
        }
    }

    /** Discovery on {@code group} through the default interface, one hop, first round 250 ms. */
    public static DiscoveryOptions of(String clusterId, ClusterKey key, InetSocketAddress group) {
        return new DiscoveryOptions(clusterId, key, group, Optional.empty(), 1, Duration.ofMillis(250));
    }

    /** The same, multicasting on the interface named {@code name}. */
    public DiscoveryOptions onInterface(String name) {
        return new DiscoveryOptions(clusterId, key, group, Optional.of(name), hops, firstRound);
    }
}
