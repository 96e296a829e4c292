package dev.echo.transport.netty.it;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.transport.TransportException;
import dev.echo.transport.netty.ClusterKey;
import dev.echo.transport.netty.DiscoveryOptions;
import dev.echo.transport.netty.LanDiscovery;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * A process of {@link LanDiscoveryAcrossNamespacesIT}, started inside a network namespace: {@code answer KEYHEX
 * GROUP:PORT IF ID HOST:PORT} answers as that member until its standard input
 * closes, then prints how many questions it answered; {@code find KEYHEX GROUP:PORT IF
 * SECONDS} prints what it found ({@code found ID=HOST:PORT,...}) and exits 0, or prints the error and exits 3.
 */
public final class DiscoveryProbe {
    private DiscoveryProbe() {}

    public static void main(String[] args) throws Exception {
        PeerAddress group = PeerAddress.parse(args[2]);
        DiscoveryOptions options = DiscoveryOptions.of(
                        "probe", ClusterKey.fromHex(args[1]), new InetSocketAddress(group.host(), group.port()))
                .onInterface(args[3]);
        if (args[0].equals("answer")) {
            try (LanDiscovery answering =
                    LanDiscovery.answer(options, MemberId.of(args[4]), PeerAddress.parse(args[5]), () -> true)) {
                System.out.println("answering");
                System.out.flush();
                waitForEndOfInput();
                System.out.println("answered " + answering.questionsAnswered());
            }
            return;
        }
        try {
            Map<MemberId, PeerAddress> found = LanDiscovery.find(options, Duration.ofSeconds(Long.parseLong(args[4])));
            StringBuilder line = new StringBuilder("found ");
            found.forEach((member, address) ->
                    line.append(member).append('=').append(address).append(','));
            System.out.println(line);
        } catch (TransportException nobody) {
            System.out.println(nobody.getMessage());
            System.exit(3);
        }
    }

    private static void waitForEndOfInput() throws IOException {
        while (System.in.read() >= 0) {
            // the test closes our standard input to stop us
        }
    }
}
