package dev.echo.transport.netty;

import dev.echo.core.transport.TransportCounters;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;

/** How every TCP handler treats TLS handshake outcomes and exceptions. Stateless; thread-safe. */
final class TlsFailures {
    private TlsFailures() {}

    /** Counts and logs a failed TLS handshake and closes the channel; returns whether {@code event} was one. */
    static boolean handleEvent(ChannelHandlerContext ctx, Object event, TransportCounters counters, Logger log) {
        if (event instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess()) {
            counters.authFailure();
            log.warn("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), brief(completion.cause()));
            ctx.close();
            return true;
        }
        return false;
    }

    /** The cause's message cut to a log-friendly length (some TLS errors quote the whole offending record). */
    static String brief(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        return message.length() > 120 ? message.substring(0, 120) + "..." : message;
    }

    /** Whether {@code cause} comes from TLS (already counted through the handshake event or a closed session). */
    static boolean isTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
