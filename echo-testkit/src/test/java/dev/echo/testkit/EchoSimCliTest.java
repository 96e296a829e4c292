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
