package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberAddress;
import dev.echo.core.MemberId;
import dev.echo.core.PeerAddress;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PROTOCOL.md §8: while a machine asks to join, echo-kv's INFO says how it stands (issue 21, "the status says so"). */
class InfoJoiningTest {
    @TempDir
    Path data;

    @Test
    void infoShowsAJoinInProgress() throws Exception {
        MemberId self = MemberId.of("n4");
        try (EchoNode node = EchoNode.builder(self)
                .transport(new InMemoryNetwork().transport(self))
                .journal(FileJournal.open(
                        JournalOptions.builder(data, "info", "n4").build()))
                .tick(Duration.ofMillis(1))
                .invoker(true)
                .build()
                .start()) {
            // Its one seed never answers: nobody runs n1 on this network.
            ReplicatedGroup group = node.join(
                    "kv",
                    GroupOptions.builder()
                            .voter(MemberId.of("n1"))
                            .joinAt(MemberAddress.of(PeerAddress.parse("127.0.0.1:7004")))
                            .build(),
                    new KvStore(),
                    new GroupListener() {});
            node.runPending(); // the first request to the seed
            String info = info(node, group);
            assertTrue(info.contains("joining:attempts=1,seeds=n1,unreachable=,gave_up=false\r\n"), info);
            assertTrue(!info.contains("joining_last_outcome:"), "no request has ended yet: " + info);
        }
    }

    private static String info(EchoNode node, ReplicatedGroup group) {
        EmbeddedChannel channel = new EmbeddedChannel();
        RespHandler.install(channel.pipeline(), 4096, new RespHandler(group, true, () -> ""));
        channel.writeInbound(Unpooled.wrappedBuffer("INFO\r\n".getBytes(StandardCharsets.US_ASCII)));
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < 1000 && reply.indexOf("role:") < 0; i++) {
            node.runPending(); // completes the health request on this thread
            channel.runPendingTasks(); // hands the answer back to the connection
            for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
                reply.append(out.toString(StandardCharsets.UTF_8));
                out.release();
            }
        }
        channel.finishAndReleaseAll();
        return reply.toString();
    }
}
