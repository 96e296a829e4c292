package dev.echo.testkit.sim;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What one run, or many added up, tested: the faults injected by kind, and the client operations whose history was
 * checked for linearizability. Immutable.
 *
 * @param injected how many of each kind; every kind is present
 * @param operationsChecked client operations in the checked histories
 */
public record RunCounts(Map<Injected, Long> injected, long operationsChecked) {
    /** Copies the counts, filling absent kinds with zero. */
    public RunCounts {
        EnumMap<Injected, Long> all = new EnumMap<>(Injected.class);
        for (Injected kind : Injected.values()) {
            all.put(kind, injected.getOrDefault(kind, 0L));
        }
        injected = Collections.unmodifiableMap(all);
    }

    /** Nothing injected, nothing checked. */
    public static RunCounts none() {
        return new RunCounts(Map.of(), 0);
    }

    /** These counts and {@code other}'s, added. */
    public RunCounts plus(RunCounts other) {
        EnumMap<Injected, Long> sum = new EnumMap<>(Injected.class);
        for (Injected kind : Injected.values()) {
            sum.put(kind, injected.get(kind) + other.injected.get(kind));
        }
        return new RunCounts(sum, operationsChecked + other.operationsChecked);
    }

    /** Crashes, torn writes, lost, damaged, failing and full disks, partitions, one-way links, membership changes. */
    public long nodeAndLinkFaults() {
        return injected.get(Injected.CRASH)
                + injected.get(Injected.TORN_WRITE)
                + injected.get(Injected.WIPE)
                + injected.get(Injected.DAMAGE)
                + injected.get(Injected.IO_ERROR)
                + injected.get(Injected.DISK_FULL)
                + injected.get(Injected.READ_ERROR)
                + injected.get(Injected.PARTITION)
                + injected.get(Injected.ONE_WAY)
                + injected.get(Injected.MEMBERSHIP_CHANGE);
    }

    /** Messages dropped, duplicated, reordered, or forged by the hostile peer. */
    public long messageFaults() {
        return injected.get(Injected.DROPPED)
                + injected.get(Injected.DUPLICATED)
                + injected.get(Injected.REORDERED)
                + injected.get(Injected.HOSTILE_MESSAGE);
    }

    /** One line: {@code crash 3, torn_write 1, ...; 812 operations checked}. */
    @Override
    public String toString() {
        StringJoiner line = new StringJoiner(", ");
        injected.forEach((kind, count) -> line.add(kind.name().toLowerCase(Locale.ROOT) + " " + count));
        return line + "; " + operationsChecked + " operations checked";
    }
}
