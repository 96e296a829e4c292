package dev.echo.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.EchoException;
import dev.echo.core.protocol.Input;
import dev.echo.core.protocol.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The session's hand-over of commands to the core: one step per command, or one step for a held run of them. */
class ClientSessionTest {
    private static final long CLIENT = 5;

    private final List<Input> stepped = new ArrayList<>();
    private final ClientSession session = new ClientSession(CLIENT, stepped::add, () -> {}, RuntimeRules.STRICT);

    private CompletableFuture<byte[]> submit(int value) {
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        session.submit(new byte[] {(byte) value}, future, 0, Long.MAX_VALUE, true);
        return future;
    }

    private void open() {
        submit(1);
        assertEquals(List.of(new Input.OpenSession(CLIENT)), stepped);
        session.sessionOpened(new Output.Committed(1, new byte[0], false));
        assertEquals(2, stepped.size(), "the command that waited for the session is sent at once");
        stepped.clear();
    }

    @Test
    void heldCommandsReachTheCoreInOneStepInOrder() {
        open();
        session.holdCommands();
        submit(2);
        submit(3);
        assertTrue(stepped.isEmpty(), "held: " + stepped);
        session.sendHeld();
        assertEquals(1, stepped.size());
        List<Input.Submit> submits = ((Input.Submits) stepped.get(0)).submits();
        assertEquals(
                List.of(2L, 3L), submits.stream().map(Input.Submit::sequence).toList());

        stepped.clear();
        submit(4);
        assertEquals(1, stepped.size(), "no longer held: stepped at once");
        assertTrue(stepped.get(0) instanceof Input.Submit);
    }

    @Test
    void aReadFollowsTheCommandsHeldBeforeIt() {
        open();
        session.holdCommands();
        submit(2);
        session.read(new byte[] {9}, false, new CompletableFuture<>(), Long.MAX_VALUE);
        assertEquals(2, stepped.size(), "the held command, then the read: " + stepped);
        assertEquals(2, ((Input.Submit) stepped.get(0)).sequence());
        assertTrue(stepped.get(1) instanceof Input.Read);
        submit(3);
        assertEquals(2, stepped.size(), "still holding after the read");
        session.sendHeld();
        assertEquals(3, ((Input.Submit) stepped.get(2)).sequence());
    }

    @Test
    void heldCommandsFailWithEverythingElseAndAreNeverStepped() {
        open();
        session.holdCommands();
        CompletableFuture<byte[]> held = submit(2);
        session.failAll(new EchoException(EchoException.Reason.CLOSED, "closed"));
        assertTrue(held.isCompletedExceptionally());
        session.sendHeld();
        assertTrue(stepped.isEmpty(), "a failed command must not reach the core: " + stepped);
    }
}
