package dev.echo.examples.kv;

import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.transport.SeedResolver;
import dev.echo.core.transport.Transport;
import dev.echo.core.transport.TransportException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seeds of a member started with {@code --join HOST:PORT,...} or {@code --discovery} (PROTOCOL.md §8): who listens
 * at each address (given, or found on the LAN) is asked once ({@link SeedResolver}), and the answer is kept in the
 * data directory. A restart uses what was kept and
 * asks nobody, so a machine that joined never waits on its seeds again: its own log has the configuration (with
 * every member's address) by then, and the seeds only matter until it is added.
 *
 * <p>Called once at start-up, on the starting thread; blocks while no seed answers, up to the patience.
 */
final class JoinSeeds {
    static final String FILE = "seeds";

    private JoinSeeds() {}

    /** Where to look for seeds: the given addresses, or the ones LAN discovery finds. */
    interface Addresses {
        List<PeerAddress> get() throws TransportException, InterruptedException, IOException;
    }

    /**
     * The seeds as members: the ones kept in {@code dataDirectory}, else the ones at {@code addresses} that answer now
     * (then kept). {@code addresses} is not consulted when seeds were kept.
     */
    static Map<MemberId, PeerAddress> resolve(
            Path dataDirectory, Transport transport, Addresses addresses, Duration patience)
            throws TransportException, InterruptedException, IOException {
        Path kept = dataDirectory.resolve(FILE);
        if (Files.exists(kept)) {
            return read(kept);
        }
        Map<MemberId, PeerAddress> found = SeedResolver.resolve(transport, addresses.get(), patience);
        write(kept, found);
        return found;
    }

    private static Map<MemberId, PeerAddress> read(Path kept) throws IOException {
        Map<MemberId, PeerAddress> seeds = new LinkedHashMap<>();
        for (String line : Files.readAllLines(kept, StandardCharsets.US_ASCII)) {
            String[] parts = line.split("=", 2);
            if (parts.length != 2) {
                throw new IOException(kept + " is damaged: '" + line + "' is not id=host:port (delete the file to ask"
                        + " the --join seeds again)");
            }
            try {
                seeds.put(MemberId.of(parts[0]), PeerAddress.parse(parts[1]));
            } catch (IllegalArgumentException wrong) {
                throw new IOException(kept + " is damaged: " + wrong.getMessage(), wrong);
            }
        }
        if (seeds.isEmpty()) {
            throw new IOException(kept + " is empty (delete the file to ask the --join seeds again)");
        }
        return seeds;
    }

    /**
     * Written to a temporary file, forced, renamed, and the directory forced: a crash leaves the old state or the whole
     * new file, and once this returns the rename survives a crash too.
     */
    private static void write(Path kept, Map<MemberId, PeerAddress> seeds) throws IOException {
        List<String> lines = new ArrayList<>();
        seeds.forEach((member, address) -> lines.add(member.value() + "=" + address));
        Path temporary = kept.resolveSibling(FILE + ".tmp");
        Files.write(temporary, lines, StandardCharsets.US_ASCII);
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temporary, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(kept.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directory.force(true); // the rename lives in the directory: forcing it syncs the entry (Linux, macOS)
        }
    }
}
