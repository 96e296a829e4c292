package dev.echo.transport.netty.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.transport.netty.ClusterKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * LAN discovery (PROTOCOL.md §8, "Discovery") between two network stacks: a member answers in one network namespace,
 * a new machine asks from another, joined by a virtual Ethernet pair, so questions and answers cross a real link
 * rather than loopback. It needs root and {@code ip netns}; elsewhere it is skipped, saying why.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LanDiscoveryAcrossNamespacesIT {
    private final String suffix =
            Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    private final String memberSide = "echo-m-" + suffix;
    private final String newSide = "echo-n-" + suffix;
    private final int subnet = ThreadLocalRandom.current().nextInt(1, 255);
    private final List<String> created = new ArrayList<>();
    private Process member;

    @AfterEach
    void removeNamespaces() throws Exception {
        if (member != null) {
            member.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (String namespace : created) {
            run("ip", "netns", "del", namespace); // its end of the link goes with it
        }
    }

    @Test
    void aMachineInAnotherNetworkFindsTheMemberAndAStrangerDoesNot() throws Exception {
        Assumptions.assumeTrue(
                namespaceCanBeCreated(memberSide), "no network namespaces here (root and iproute2 needed): skipped");
        linkNamespaces();
        String key = ClusterKey.generate().toHex();
        String group = "239.255.77.7:7799";
        String memberAddress = "10.213." + subnet + ".1:7001";
        member = probe(memberSide, "answer", key, group, "em" + suffix, "n1", memberAddress);
        BufferedReader memberOut =
                new BufferedReader(new InputStreamReader(member.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("answering", memberOut.readLine(), "the member did not start answering");

        Process asker = probe(newSide, "find", key, group, "en" + suffix, "30");
        String found = new String(asker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(asker.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, asker.exitValue(), found);
        assertEquals("found n1=" + memberAddress + ",", found.strip());

        Process stranger = probe(newSide, "find", ClusterKey.generate().toHex(), group, "en" + suffix, "2");
        String refused = new String(stranger.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(stranger.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, stranger.exitValue(), refused);
        assertTrue(refused.contains("PEER_UNREACHABLE"), refused);
        member.getOutputStream().close(); // the member stops and says how many questions it answered
        assertEquals("answered 1", memberOut.readLine(), "the stranger's questions went unanswered");
    }

    private boolean namespaceCanBeCreated(String namespace) {
        try {
            if (run("ip", "netns", "add", namespace) != 0) {
                return false;
            }
        } catch (IOException noIp) {
            return false;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
        created.add(namespace);
        return true;
    }

    /** Both namespaces, joined by a veth pair (em… on the member's side, en… on the new machine's), links up. */
    private void linkNamespaces() throws Exception {
        require("ip", "netns", "add", newSide);
        created.add(newSide);
        require("ip", "link", "add", "em" + suffix, "type", "veth", "peer", "name", "en" + suffix);
        require("ip", "link", "set", "em" + suffix, "netns", memberSide);
        require("ip", "link", "set", "en" + suffix, "netns", newSide);
        require("ip", "-n", memberSide, "addr", "add", "10.213." + subnet + ".1/24", "dev", "em" + suffix);
        require("ip", "-n", newSide, "addr", "add", "10.213." + subnet + ".2/24", "dev", "en" + suffix);
        for (String[] end : new String[][] {{memberSide, "em" + suffix}, {newSide, "en" + suffix}}) {
            require("ip", "-n", end[0], "link", "set", end[1], "up");
            require("ip", "-n", end[0], "link", "set", "lo", "up");
        }
    }

    private static Process probe(String namespace, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                "ip",
                "netns",
                "exec",
                namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DiscoveryProbe.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static void require(String... command) throws Exception {
        assertEquals(0, run(command), () -> "failed: " + String.join(" ", command));
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            System.err.println(String.join(" ", command) + ": " + output.strip());
        }
        return exit;
    }
}
