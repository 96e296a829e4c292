package dev.echo.journal;

import java.io.IOException;

/**
 * Recognises a failure for want of disk space (ENOSPC) among I/O failures. The JDK gives it no type of its own: a
 * {@link IOException} whose message is the operating system's text for it, on this exception or a cause. A simulated
 * file layer throws the same text. Stateless.
 */
final class OutOfSpace {
    private static final String[] MESSAGES = {
        "No space left on device", // Linux, macOS (strerror of ENOSPC)
        "There is not enough space on the disk", // Windows (ERROR_DISK_FULL)
    };

    private OutOfSpace() {}

    /** Whether {@code failure}, or one of its causes, says the disk is full. */
    static boolean is(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (cause instanceof IOException && message != null) {
                for (String text : MESSAGES) {
                    if (message.contains(text)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
