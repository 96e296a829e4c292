package dev.echo.journal;

import dev.echo.core.MemberId;
import dev.echo.core.protocol.Entry;
import dev.echo.core.storage.GroupIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Helpers shared by the journal tests. */
final class Journals {
    private Journals() {}

    static JournalOptions.Builder options(Path directory) {
        return JournalOptions.builder(directory, "cluster-a", "node-1")
                .segmentBytes(64 * 1024)
                .maxRecordBytes(8 * 1024)
                .preallocate(false);
    }

    static GroupIdentity group(String name) {
        return new GroupIdentity(name, MemberId.of("n1"), 7);
    }

    static Entry command(long index, long term, String text) {
        return new Entry(index, term, new Entry.Command(1, index, index - 1, text.getBytes(StandardCharsets.UTF_8)));
    }

    static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("echo-journal-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyRecursively(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (!path.getFileName().toString().equals(DirectoryOwner.LOCK_FILE)) {
                    Files.copy(path, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
