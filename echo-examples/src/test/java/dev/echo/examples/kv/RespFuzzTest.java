package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.echo.core.EchoNode;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.codec.MessageCodec;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target for echo-kv's RESP parser and command dispatch: arbitrary bytes, in arbitrary pieces, through the
 * server's real pipeline in front of a one-member group. Nothing may reach the end of the pipeline, and every byte
 * written back must be RESP replies (each starting with one of {@code + - : $ *}). Replays its regression inputs under
 * {@code ./mvnw test}; docs/testing.md says how to fuzz.
 */
class RespFuzzTest {
    private static final ReplicatedGroup GROUP = oneMemberGroup();

    @FuzzTest(maxDuration = "10m")
    void requests(FuzzedDataProvider data) {
        EmbeddedChannel channel = new EmbeddedChannel();
        RespHandler.install(channel.pipeline(), 4096, new RespHandler(GROUP, true, () -> ""));
        while (data.remainingBytes() > 0 && channel.isOpen()) {
            channel.writeInbound(Unpooled.wrappedBuffer(data.consumeBytes(1 + data.consumeInt(0, 300))));
        }
        channel.runPendingTasks();
        channel.checkException();
        for (Object written = channel.readOutbound(); written != null; written = channel.readOutbound()) {
            ByteBuf reply = (ByteBuf) written;
            if (reply.isReadable()) {
                char first = (char) reply.getByte(reply.readerIndex());
                assertTrue("+-:$*".indexOf(first) >= 0, "not a RESP reply: " + reply.toString(StandardCharsets.UTF_8));
            }
            reply.release();
        }
        channel.finishAndReleaseAll();
    }

    /** A group of one member on an in-memory network and a scratch journal: it leads at once, so commands complete. */
    private static ReplicatedGroup oneMemberGroup() {
        try {
            MemberId self = MemberId.of("n1");
            Path data = Files.createTempDirectory("echo-resp-fuzz");
            EchoNode node = EchoNode.builder(self)
                    .transport(new InMemoryNetwork(new MessageCodec(1 << 20, 1024, 8 << 20)).transport(self))
                    .journal(FileJournal.open(
                            JournalOptions.builder(data, "fuzz", "n1").build()))
                    .build()
                    .start();
            return node.join("kv", GroupOptions.builder().voter(self).build(), new KvStore(), new GroupListener() {});
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
