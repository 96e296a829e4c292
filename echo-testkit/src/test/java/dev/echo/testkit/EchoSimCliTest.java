package dev.echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.testkit.cli.EchoSim;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The contract of bin/echo-sim: summary line last, replay command for failures, exit codes. */
class EchoSimCliTest {
    record Run(int status, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = EchoSim.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void passingSeedsEndWithTheSummaryLine() {
        Run run = run("--seeds", "1..3");
        assertEquals(0, run.status());
        assertEquals("3 passed, 0 failed", run.lastLine());
    }

    @Test
    void failingSeedPrintsItsReplayCommand() {
        Run run = run("--seeds", "1..5", "--mutation", "ack_before_fsync");
        assertEquals(1, run.status());
        assertTrue(run.out().contains("replay: bin/echo-sim --seed "), run.out());
        assertTrue(run.out().contains("--mutation ack_before_fsync --trace"), run.out());
        assertTrue(run.lastLine().matches("\\d+ passed, [1-9]\\d* failed"), run.lastLine());
    }

    /** Each kind of fault is counted where it is injected: a crash-only run counts crashes and nothing else. */
    @Test
    void whatWasTestedIsCountedByKind() {
        Run crashes = run("--seeds", "1..3", "--faults", "crash");
        String tested = line(crashes, "tested: ");
        assertTrue(tested.matches(".*crash [1-9]\\d*, torn_write 0, wipe 0, .*"), tested);
        assertTrue(tested.contains("partition 0, one_way 0, hostile_message 0, dropped 0, duplicated 0"), tested);
        assertTrue(tested.matches(".*; [1-9]\\d* operations checked"), tested);
        Run everything = run("--seeds", "1..3");
        for (String kind : new String[] {"partition", "dropped", "duplicated", "reordered", "membership_change"}) {
            assertTrue(line(everything, "tested: ").matches(".*" + kind + " [1-9].*"), kind + " not counted");
        }
        assertTrue(line(everything, "per second on one core: ").contains("node and link faults"));
    }

    private static String line(Run run, String prefix) {
        return run.out()
                .lines()
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in " + run.out()));
    }

    @Test
    void traceIsReadable() {
        Run run = run("--seed", "4", "--trace", "--faults", "crash");
        assertTrue(run.out().contains("START incarnation 0"), "no start lines");
        assertTrue(run.out().contains("PreVoteRequest"), "no election in the transcript");
        assertEquals("1 passed, 0 failed", run.lastLine());
    }

    @Test
    void badArgumentsExitWithUsage() {
        Run run = run("--faults", "meteor");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("unknown fault 'meteor'"), run.err());
        assertEquals(2, run("--seeds", "5..1").status());
        assertEquals(0, run("--help").status());
    }
}
