package dev.echo.journal;

import static dev.echo.journal.Journals.command;
import static dev.echo.journal.Journals.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.protocol.Entry;
import dev.echo.core.protocol.Output;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.RecoveredGroup;
import dev.echo.core.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A member's incarnation never goes back (PROTOCOL.md §5), even when a bit of its forced journal flips: recovery
 * gives the latest incarnation, or refuses with a typed error, but never an earlier life. The whole-node simulator
 * found a member speaking from an earlier incarnation after such a flip (issue 19's note); this pins the journal's
 * part byte by byte.
 */
class IncarnationDamageTest {
    private final Path directory = Journals.temporaryDirectory();

    @AfterEach
    void cleanUp() {
        Journals.deleteRecursively(directory);
    }

    private static Output.Persist persist(long ticket, long firstIndex, Entry... entries) {
        return new Output.Persist(ticket, Optional.empty(), firstIndex, List.of(entries));
    }

    @Test
    void aBitFlippedAnywhereNeverBringsBackAnEarlierIncarnation() throws Exception {
        Path original = directory.resolve("original");
        try (FileJournal journal = FileJournal.open(Journals.options(original).build())) {
            RecordingListener listener = new RecordingListener();
            GroupJournal g = journal.openGroup(group("g"), listener); // incarnation 7
            g.persist(persist(1, 1, command(1, 1, "a"), command(2, 1, "b")));
            listener.await(1);
            assertEquals(8, g.reincarnate().incarnation());
            g.persist(persist(2, 3, command(3, 2, "c"), command(4, 2, "d")));
            listener.await(2);
        }
        List<Path> segments = new ArrayList<>();
        try (var files = Files.list(original)) {
            files.filter(path -> Segment.sequenceOf(path) >= 0).sorted().forEach(segments::add);
        }
        List<String> regressions = new ArrayList<>();
        int tries = 0;
        for (Path segment : segments) {
            long size = Files.size(segment);
            for (long offset = 0; offset < size; offset++) {
                tries++;
                Path copy = directory.resolve("copy-" + tries);
                Journals.copyRecursively(original, copy);
                flip(copy.resolve(segment.getFileName().toString()), offset, (int) (offset % 8));
                try (FileJournal journal =
                        FileJournal.open(Journals.options(copy).build())) {
                    RecoveredGroup recovered = journal.openGroup(group("g"), new RecordingListener())
                            .recovered();
                    if (recovered.identity().incarnation() < 8) {
                        regressions.add(segment.getFileName() + "@" + offset + " -> incarnation "
                                + recovered.identity().incarnation() + ", fault " + recovered.fault());
                    }
                } catch (StorageException refused) {
                    // A typed refusal is allowed: nothing earlier is offered.
                }
                Journals.deleteRecursively(copy);
            }
        }
        assertTrue(tries > 100, "flipped " + tries + " bytes");
        assertEquals(
                List.of(),
                regressions.subList(0, Math.min(5, regressions.size())),
                regressions.size() + " of " + tries + " flips brought back an earlier incarnation");
    }

    private static void flip(Path file, long offset, int bit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= (byte) (1 << bit);
        Files.write(file, bytes);
    }
}
