package dev.echo.examples.kv;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * Why echo-kv could not start, in one line for its operator: a file system error says what was wrong with which path
 * (the JDK's message for a missing file is the bare path), anything else gives its message.
 */
final class StartupErrors {
    private StartupErrors() {}

    /** The cause with the path it concerns, if any. */
    static String describe(Throwable cause) {
        if (cause instanceof FileSystemException failed && failed.getFile() != null) {
            return failed.getFile() + ": " + reason(cause);
        }
        return reason(cause);
    }

    /** What went wrong, without the path (for a message that names it already). */
    static String reason(Throwable cause) {
        if (cause instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (cause instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (cause instanceof FileAlreadyExistsException) {
            return "exists, and is not a directory";
        }
        if (cause instanceof FileSystemException failed) {
            return failed.getReason() != null ? failed.getReason() : "cannot be used";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
