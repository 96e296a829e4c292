package dev.echo.journal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.echo.core.protocol.Output;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Fuzz target for journal recovery (PROTOCOL.md §5) over arbitrary segment bytes: a small journal is written once; each
 * input replaces its segment with its own bytes, or overwrites a stretch of it, and the journal is opened again. It
 * must open (a damaged group reports a typed fault) or refuse with a typed {@link StorageException}; nothing else may
 * escape, however the bytes lie about lengths, groups or sequence. Replays its regression inputs under
 * {@code ./mvnw test}; docs/testing.md says how to fuzz.
 */
class RecoveryFuzzTest {
    private static final Path TEMPLATE = writeTemplate();

    @FuzzTest(maxDuration = "10m")
    void segmentBytes(FuzzedDataProvider data) throws IOException {
        Path directory = Journals.temporaryDirectory();
        try {
            Journals.copyRecursively(TEMPLATE, directory);
            Path segment = onlySegment(directory);
            byte[] bytes = Files.readAllBytes(segment);
            if (data.consumeBoolean()) {
                bytes = data.consumeRemainingAsBytes(); // a segment of nothing but the input
            } else {
                int at = data.consumeInt(0, bytes.length - 1);
                byte[] patch = data.consumeRemainingAsBytes();
                System.arraycopy(patch, 0, bytes, at, Math.min(patch.length, bytes.length - at));
            }
            Files.write(segment, bytes);
            try (FileJournal journal =
                    FileJournal.open(Journals.options(directory).build())) {
                journal.openGroup(Journals.group("g"), new RecordingListener()).recovered();
            } catch (StorageException refused) {
                // typed: the expected answer to damage the journal cannot repair around
            }
        } finally {
            Journals.deleteRecursively(directory);
        }
    }

    private static Path writeTemplate() {
        Path directory = Journals.temporaryDirectory();
        try (FileJournal journal = FileJournal.open(Journals.options(directory).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal group = journal.openGroup(Journals.group("g"), listener);
            List<dev.echo.core.protocol.Entry> entries = new ArrayList<>();
            for (long index = 1; index <= 12; index++) {
                entries.add(Journals.command(index, 1, "entry " + index));
            }
            group.persist(new Output.Persist(1, Optional.empty(), 1, entries));
            listener.await(1);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the template journal", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Journals.deleteRecursively(directory)));
        return directory;
    }

    private static Path onlySegment(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(path -> path.getFileName().toString().equals(Segment.fileName(1)))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("the template journal has no first segment"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
