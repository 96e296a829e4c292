package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.core.transport.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** echo-kv's {@code --join}: seeds as bare addresses or with ids (PROTOCOL.md §8), and what a restart asks. */
class JoinOptionsTest {
    private static final String[] BASE = {
        "--id",
        "n4",
        "--data",
        "/tmp/never-created",
        "--advertise",
        "127.0.0.1:7004",
        "--client",
        "127.0.0.1:6004",
        "--unauthenticated"
    };

    private static KvOptions parse(String... more) {
        String[] args = new String[BASE.length + more.length];
        System.arraycopy(BASE, 0, args, 0, BASE.length);
        System.arraycopy(more, 0, args, BASE.length, more.length);
        return KvOptions.parse(args);
    }

    @Test
    void seedsMayBeBareAddressesOrCarryTheirIds() {
        KvOptions options = parse("--join", "127.0.0.1:7001, n2=127.0.0.1:7002,[::1]:7003");
        assertEquals(List.of(new PeerAddress("127.0.0.1", 7001), new PeerAddress("::1", 7003)), options.seeds());
        assertEquals(Map.of(MemberId.of("n2"), new PeerAddress("127.0.0.1", 7002)), options.members());
    }

    @Test
    void wrongSeedListsAreRefusedByName() {
        IllegalArgumentException noPort = assertThrows(IllegalArgumentException.class, () -> parse("--join", "host"));
        assertTrue(noPort.getMessage().contains("host:port"), noPort.getMessage());
        // The original members must name one another: their lists are the group's initial configuration.
        IllegalArgumentException bareMember = assertThrows(
                IllegalArgumentException.class,
                () -> KvOptions.parse(new String[] {
                    "--id", "n1", "--data", "d", "--members", "127.0.0.1:7001", "--client", "127.0.0.1:6001"
                }));
        assertTrue(bareMember.getMessage().contains("id=host:port"), bareMember.getMessage());
        // Over UDP too, bare seeds are asked who they are (a question and answer under the cluster key).
        KvOptions udp = KvOptions.parse(new String[] {
            "--id",
            "n4",
            "--data",
            "d",
            "--join",
            "127.0.0.1:7001",
            "--advertise",
            "127.0.0.1:7004",
            "--client",
            "127.0.0.1:6004",
            "--transport",
            "udp",
            "--key-file",
            "k"
        });
        assertEquals(List.of(new PeerAddress("127.0.0.1", 7001)), udp.seeds());
    }

    @Test
    void aRestartUsesTheSeedsItFoundAndAsksNobody(@TempDir Path data) throws Exception {
        Files.writeString(data.resolve(JoinSeeds.FILE), "n1=127.0.0.1:7001\nn2=127.0.0.1:7002\n");
        // An in-memory transport cannot ask anyone: the kept answer is all there is to use.
        var transport = new InMemoryNetwork().transport(MemberId.of("n4"));
        Map<MemberId, PeerAddress> seeds = JoinSeeds.resolve(
                data,
                transport,
                () -> {
                    throw new AssertionError("a restart looks for no seeds");
                },
                Duration.ofMinutes(1));
        assertEquals(List.of(MemberId.of("n1"), MemberId.of("n2")), List.copyOf(seeds.keySet()), "in the order kept");
        assertEquals(new PeerAddress("127.0.0.1", 7002), seeds.get(MemberId.of("n2")));

        Files.writeString(data.resolve(JoinSeeds.FILE), "garbage\n");
        IOException damaged = assertThrows(
                IOException.class,
                () -> JoinSeeds.resolve(data, transport, () -> List.of(new PeerAddress("h", 1)), Duration.ZERO));
        assertTrue(damaged.getMessage().contains("delete the file"), damaged.getMessage());
    }

    @Test
    void withNothingKeptTheSeedsAreAsked(@TempDir Path data) {
        var transport = new InMemoryNetwork().transport(MemberId.of("n4"));
        TransportException unsupported = assertThrows(
                TransportException.class,
                () -> JoinSeeds.resolve(
                        data, transport, () -> List.of(new PeerAddress("127.0.0.1", 7001)), Duration.ofMinutes(1)));
        assertEquals(TransportException.Reason.UNSUPPORTED, unsupported.reason());
        assertTrue(Files.notExists(data.resolve(JoinSeeds.FILE)), "nothing kept when nobody answered");
    }

    @Test
    void aMemberWithoutSeedsFindsThemByDiscoveryUnderTheClusterKey() {
        KvOptions found = keyed("--discovery", "239.255.77.1:7799", "--discovery-interface", "eth1");
        assertEquals(List.of(), found.seeds());
        assertEquals(Map.of(), found.members());
        assertEquals(new PeerAddress("127.0.0.1", 7004), found.advertised());
        assertEquals("239.255.77.1", found.discovery().orElseThrow().getHostString());
        assertEquals(7799, found.discovery().orElseThrow().getPort());
        assertEquals("eth1", found.discoveryInterface().orElseThrow());

        IllegalArgumentException noKey =
                assertThrows(IllegalArgumentException.class, () -> parse("--discovery", "239.255.77.1:7799"));
        assertTrue(noKey.getMessage().contains("--key-file"), noKey.getMessage());
        IllegalArgumentException unicast =
                assertThrows(IllegalArgumentException.class, () -> keyed("--discovery", "10.0.0.1:7799"));
        assertTrue(unicast.getMessage().contains("multicast"), unicast.getMessage());
        IllegalArgumentException nowhere = assertThrows(IllegalArgumentException.class, () -> keyed());
        assertTrue(nowhere.getMessage().contains("--discovery"), nowhere.getMessage());
        IllegalArgumentException strayInterface = assertThrows(
                IllegalArgumentException.class, () -> keyed("--join", "127.0.0.1:7001", "--discovery-interface", "lo"));
        assertTrue(strayInterface.getMessage().contains("--discovery-interface"), strayInterface.getMessage());
    }

    /** {@link #BASE} under a cluster key instead of {@code --unauthenticated}. */
    private static KvOptions keyed(String... more) {
        List<String> args = new ArrayList<>(List.of(BASE).subList(0, BASE.length - 1));
        args.addAll(List.of("--key-file", "k"));
        args.addAll(List.of(more));
        return KvOptions.parse(args.toArray(String[]::new));
    }
}
