package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * A malformed RESP request gets one {@code -ERR Protocol error} reply and the connection is closed, and the log grows
 * by one line without a stack trace per bad connection, however much garbage follows (a client once turned 40 KB of
 * {@code *1\r\n} into 7.66 MB of stack traces, and hung waiting for a reply).
 */
class MalformedRespTest {
    private final ListAppender<ILoggingEvent> handlerLog = new ListAppender<>();
    private final ListAppender<ILoggingEvent> pipelineTail = new ListAppender<>();

    @BeforeEach
    void capture() {
        handlerLog.start();
        pipelineTail.start();
        ((Logger) LoggerFactory.getLogger(RespHandler.class)).addAppender(handlerLog);
        ((Logger) LoggerFactory.getLogger(DefaultChannelPipeline.class)).addAppender(pipelineTail);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger(RespHandler.class)).detachAppender(handlerLog);
        ((Logger) LoggerFactory.getLogger(DefaultChannelPipeline.class)).detachAppender(pipelineTail);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "*1\r\n", // arrays nested past the aggregator's depth
                "$abc\r\n", // a length that is not a number
                "*-7\r\n*2\r\n", // a negative array length
                "$9223372036854775807\r\nx\r\n", // a length of 2^63-1
                "*1\r\n$-5\r\n", // a negative bulk length
            })
    void aMalformedRequestGetsOneErrorReplyOneLogLineAndAClose(String garbage) {
        EmbeddedChannel channel = new EmbeddedChannel();
        RespHandler.install(channel.pipeline(), 1 << 20, new RespHandler(null, false, () -> ""));
        byte[] repeated = garbage.repeat(40_960 / garbage.length()).getBytes(StandardCharsets.ISO_8859_1);
        channel.writeInbound(Unpooled.wrappedBuffer(repeated)); // 40 KB: everything after the first error is ignored
        channel.checkException();

        String reply = readAll(channel);
        assertTrue(
                reply.startsWith("-ERR ") && reply.endsWith("\r\n") && reply.indexOf("\r\n") == reply.length() - 2,
                "one error reply: " + reply);
        assertFalse(channel.isOpen(), "the connection is closed after the error");
        assertEquals(1, handlerLog.list.size(), "one log line per bad connection: " + handlerLog.list);
        assertNull(handlerLog.list.get(0).getThrowableProxy(), "no stack trace for bad input");
        assertEquals(List.of(), pipelineTail.list, "nothing reached the end of the pipeline");
        channel.finishAndReleaseAll();
    }

    @org.junit.jupiter.api.Test
    void bytesAfterQuitAreDroppedQuietly() { // RespFuzzTest: they were decoded after the close, logged at the tail
        EmbeddedChannel channel = new EmbeddedChannel();
        RespHandler.install(channel.pipeline(), 1 << 20, new RespHandler(null, false, () -> ""));
        channel.writeInbound(Unpooled.wrappedBuffer("QUIT\r\n*-7\r\n$abc\r\n".getBytes(StandardCharsets.US_ASCII)));
        channel.checkException();
        assertEquals("+OK\r\n", readAll(channel));
        assertFalse(channel.isOpen());
        assertEquals(List.of(), handlerLog.list, "a QUIT is not an error");
        assertEquals(List.of(), pipelineTail.list, "nothing reached the end of the pipeline");
        channel.finishAndReleaseAll();
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object written = channel.readOutbound(); written != null; written = channel.readOutbound()) {
            ByteBuf bytes = (ByteBuf) written;
            out.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
        }
        return out.toString();
    }
}
