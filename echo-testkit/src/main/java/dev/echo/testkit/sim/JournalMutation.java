package dev.echo.testkit.sim;

import dev.echo.journal.rules.JournalRules;
import java.util.EnumSet;
import java.util.Set;

/**
 * Deliberate bugs in the file journal, each breaking one of its {@link JournalRules}: the whole-node simulator runs
 * the real journal over a simulated disk and must catch each as the rule it breaks, which proves its checks are not
 * vacuous ({@code bin/echo-sim --nodes --journal-mutation NAME}).
 */
public enum JournalMutation {
    /**
     * Report a batch durable without forcing it: a crash then loses entries and votes the core acknowledged, so a
     * member speaks again in a term it had forgotten, or a committed write vanishes.
     */
    ACK_WITHOUT_FORCE,
    /**
     * Recover a record whose payload fails its checksum: a torn write's garbage is applied as an entry, or refused
     * by the codec only after the member took it for its log.
     */
    KEEP_TORN_RECORD;

    /** The journal's rules with every one of {@code bugs} broken and every other rule kept. */
    public static JournalRules rulesBreaking(Set<JournalMutation> bugs) {
        Set<JournalMutation> broken = bugs.isEmpty() ? EnumSet.noneOf(JournalMutation.class) : EnumSet.copyOf(bugs);
        if (broken.isEmpty()) {
            return JournalRules.STRICT;
        }
        return new JournalRules() {
            @Override
            public boolean forceBeforeReporting() {
                return !broken.contains(ACK_WITHOUT_FORCE);
            }

            @Override
            public boolean checkPayloads() {
                return !broken.contains(KEEP_TORN_RECORD);
            }
        };
    }
}
