package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.echo.core.GroupListener;
import dev.echo.core.GroupOptions;
import dev.echo.core.MemberId;
import dev.echo.core.ReplicatedGroup;
import dev.echo.core.node.EchoNode;
import dev.echo.core.transport.InMemoryNetwork;
import dev.echo.journal.FileJournal;
import dev.echo.journal.JournalOptions;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.redis.AbstractStringRedisMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target for echo-kv's RESP parser and command dispatch: arbitrary bytes, in arbitrary pieces, through the
 * server's real pipeline in front of a one-member group. Nothing may reach the end of the pipeline, and no reply line
 * may carry a CR or LF from the client's bytes (one inside an error once injected a reply of the client's making).
 * Replies are checked as the handler writes them: EmbeddedChannel may interleave the encoded pieces of replies
 * written from tasks, which a real event loop does not ({@code RespPipeliningTest} checks the order over TCP). Replays its regression inputs under
 * {@code ./mvnw test}; docs/testing.md says how to fuzz.
 */
class RespFuzzTest {
    private static EchoNode node;
    private static final ReplicatedGroup GROUP = oneMemberGroup();

    @FuzzTest(maxDuration = "10m")
    void requests(FuzzedDataProvider data) {
        EmbeddedChannel channel = new EmbeddedChannel();
        RespHandler.install(channel.pipeline(), 4096, new RespHandler(GROUP, true, () -> ""));
        // Every reply as the handler writes it, before encoding: a simple string or error is one RESP line, so no
        // client byte in it may be a CR or LF (one once injected a reply of the client's making).
        List<String> brokenLines = new ArrayList<>();
        String handler = channel.pipeline().context(RespHandler.class).name();
        channel.pipeline().addBefore(handler, "line-check", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof AbstractStringRedisMessage line
                        && (line.content().indexOf('\r') >= 0 || line.content().indexOf('\n') >= 0)) {
                    brokenLines.add(line.content());
                }
                ctx.write(msg, promise);
            }
        });
        while (data.remainingBytes() > 0 && channel.isOpen()) {
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(data.consumeBytes(1 + data.consumeInt(0, 300))));
            } catch (DecoderException afterClose) {
                // EmbeddedChannel closes synchronously (a QUIT), removing every handler while the decoder still
                // holds the rest of the piece; a real event loop closes after the read, with the handlers in place.
                if (channel.isOpen()) {
                    throw afterClose;
                }
            }
        }
        // The group runs on this thread (invoker mode): an EmbeddedChannel may only be touched from one thread, and
        // the handler hands outcomes back through the channel's executor.
        node.runPending();
        channel.runPendingTasks();
        channel.checkException();
        assertTrue(brokenLines.isEmpty(), "reply lines broken by the client's bytes: " + brokenLines);
        channel.finishAndReleaseAll();
    }

    /**
     * A group of one member on an in-memory network and a scratch journal, driven from the fuzzing thread (invoker
     * mode), elected before the first input so that commands complete.
     */
    private static ReplicatedGroup oneMemberGroup() {
        try {
            MemberId self = MemberId.of("n1");
            Path data = Files.createTempDirectory("echo-resp-fuzz");
            node = EchoNode.builder(self)
                    .transport(new InMemoryNetwork().transport(self))
                    .journal(FileJournal.open(
                            JournalOptions.builder(data, "fuzz", "n1").build()))
                    .tick(java.time.Duration.ofMillis(1))
                    .invoker(true)
                    .build()
                    .start();
            ReplicatedGroup group =
                    node.join("kv", GroupOptions.builder().voter(self).build(), new KvStore(), new GroupListener() {});
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!group.status().hasQuorum()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the one-member group elected no leader in 30 s");
                }
                if (!node.runPending()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // the next tick is due in 1 ms
                }
            }
            return group;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
