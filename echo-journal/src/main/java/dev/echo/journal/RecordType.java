package dev.echo.journal;

/** The kinds of journal record. The code is the byte stored in the record; codes are never reused. */
enum RecordType {
    /** First record of every segment: journal identity, the previous segment's end, and every group's state. */
    SEGMENT_HEADER(1),
    /** A group's registration: its number, name and this member's identity in it. */
    GROUP(2),
    /** A group's new term and vote. */
    HARD_STATE(3),
    /** A log entry of a group. */
    ENTRY(4),
    /** Discards a group's entries from the record's index on (a conflict was found). */
    TRUNCATE(5),
    /** Discards a group's log up to the record's index, covered by a snapshot. */
    COMPACT(6),
    /** Everything before this record's position in its segment has been forced. */
    SEAL(7);

    private static final RecordType[] BY_CODE = new RecordType[8];

    static {
        for (RecordType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    final byte code;

    RecordType(int code) {
        this.code = (byte) code;
    }

    /** The type with this code, or {@code null} if this version does not know it. */
    static RecordType of(byte code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
