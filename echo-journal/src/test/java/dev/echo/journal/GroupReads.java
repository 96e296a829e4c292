package dev.echo.journal;

import dev.echo.core.protocol.Entry;
import dev.echo.core.storage.GroupJournal;
import dev.echo.core.storage.StorageException;
import java.util.ArrayList;
import java.util.List;

/** Reads a group's whole recovered log through the journal's read API, as the runtime streams it at start-up. */
final class GroupReads {
    private GroupReads() {}

    /** Every entry of {@code group}'s log after its snapshot; none for a faulted group, whose log is not trusted. */
    static List<Entry> all(GroupJournal group) throws StorageException {
        if (group.recovered().fault().isPresent()) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        long next = group.firstIndex();
        while (next <= group.lastIndex()) {
            List<Entry> chunk = group.read(next, group.lastIndex() + 1, 1 << 16);
            entries.addAll(chunk);
            next += chunk.size();
        }
        return entries;
    }
}
