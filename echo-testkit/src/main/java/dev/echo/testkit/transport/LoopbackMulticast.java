package dev.echo.testkit.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.util.Arrays;

/**
 * Whether this machine's loopback interface carries multicast, for tests of LAN discovery that must skip (saying why)
 * where it does not, rather than fail. Stateless; thread-safe; {@link #works} blocks up to two seconds.
 */
public final class LoopbackMulticast {
    /** The loopback interface's name on Linux. */
    public static final String INTERFACE = "lo";

    private LoopbackMulticast() {}

    /** One datagram sent to a group joined on the loopback interface comes back to the sender. */
    public static boolean works() {
        try (MulticastSocket socket = new MulticastSocket(0)) {
            NetworkInterface loopback = NetworkInterface.getByName(INTERFACE);
            if (loopback == null) {
                return false;
            }
            InetSocketAddress probe =
                    new InetSocketAddress(InetAddress.getByName("239.255.0.254"), socket.getLocalPort());
            socket.joinGroup(probe, loopback);
            socket.setNetworkInterface(loopback);
            byte[] hello = {1, 2, 3};
            socket.send(new DatagramPacket(hello, hello.length, probe));
            socket.setSoTimeout(2000);
            DatagramPacket back = new DatagramPacket(new byte[8], 8);
            socket.receive(back);
            return Arrays.equals(hello, Arrays.copyOf(back.getData(), back.getLength()));
        } catch (IOException noMulticast) {
            return false;
        }
    }
}
