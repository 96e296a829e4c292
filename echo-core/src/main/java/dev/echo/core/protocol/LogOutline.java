package dev.echo.core.protocol;

import java.util.List;
import java.util.Objects;

/**
 * What a member must know of a recovered log without its entries' bodies: where each term starts and every
 * configuration entry (PROTOCOL.md §2: configurations live in the log; §4: the consistency check and elections need
 * terms). A journal that recovered them can hand them over, so a restart reads no entry into memory: the bodies are
 * read back from the journal when the apply or a follower needs them (docs/architecture.md, "Recovery"). Immutable.
 *
 * @param lastIndex the log's last index
 * @param termStarts where each term starts, ascending by index and by term, the first at the log's first index
 * @param configurations the configuration entries, ascending by index
 */
public record LogOutline(long lastIndex, List<TermStart> termStarts, List<Entry> configurations) {
    /**
     * The first index of a run of entries of one term.
     *
     * @param index the run's first index
     * @param term the run's term
     */
    public record TermStart(long index, long term) {}

    /** Freezes both lists and checks they are ordered and every configuration entry is a configuration change. */
    public LogOutline {
        termStarts = List.copyOf(Objects.requireNonNull(termStarts, "termStarts"));
        configurations = List.copyOf(Objects.requireNonNull(configurations, "configurations"));
        for (int i = 1; i < termStarts.size(); i++) {
            if (termStarts.get(i).index() <= termStarts.get(i - 1).index()
                    || termStarts.get(i).term() <= termStarts.get(i - 1).term()) {
                throw new IllegalArgumentException("term starts are not ascending at " + termStarts.get(i));
            }
        }
        for (int i = 0; i < configurations.size(); i++) {
            Entry entry = configurations.get(i);
            if (!(entry.payload() instanceof Entry.ConfigurationChange)
                    || entry.index() > lastIndex
                    || (i > 0 && entry.index() <= configurations.get(i - 1).index())) {
                throw new IllegalArgumentException("not an ordered configuration entry of the log: " + entry);
            }
        }
    }
}
