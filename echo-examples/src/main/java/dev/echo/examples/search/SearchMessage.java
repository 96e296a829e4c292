package dev.echo.examples.search;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What the search members multicast: a query, or one member's answer for its chunk. A line of text, fields split by
 * {@code |}; the query text may not contain one. Immutable.
 */
sealed interface SearchMessage {
    /** A query from {@code asker}, numbered by it. */
    record Query(String asker, long id, String text) implements SearchMessage {}

    /**
     * The answer of the member of rank {@code rank} in the view of epoch {@code epoch} with {@code size} members: how
     * many records of its chunk match, and a few of them.
     */
    record Answer(String asker, long id, long epoch, int rank, int size, long matches, List<String> samples)
            implements SearchMessage {}

    /** The bytes to multicast. */
    default byte[] encode() {
        String line;
        if (this instanceof Query query) {
            line = String.join("|", "Q", query.asker(), Long.toString(query.id()), query.text());
        } else {
            Answer answer = (Answer) this;
            line = String.join(
                    "|",
                    "A",
                    answer.asker(),
                    Long.toString(answer.id()),
                    Long.toString(answer.epoch()),
                    Integer.toString(answer.rank()),
                    Integer.toString(answer.size()),
                    Long.toString(answer.matches()),
                    String.join(";", answer.samples()));
        }
        return line.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads what {@link #encode} wrote. */
    static SearchMessage decode(byte[] bytes) {
        String[] fields = new String(bytes, StandardCharsets.UTF_8).split("\\|", -1);
        if (fields[0].equals("Q") && fields.length == 4) {
            return new Query(fields[1], Long.parseLong(fields[2]), fields[3]);
        }
        if (fields[0].equals("A") && fields.length == 8) {
            List<String> samples = fields[7].isEmpty() ? List.of() : Arrays.asList(fields[7].split(";"));
            return new Answer(
                    fields[1],
                    Long.parseLong(fields[2]),
                    Long.parseLong(fields[3]),
                    Integer.parseInt(fields[4]),
                    Integer.parseInt(fields[5]),
                    Long.parseLong(fields[6]),
                    samples);
        }
        throw new IllegalArgumentException("not a search message: " + String.join("|", fields));
    }
}
