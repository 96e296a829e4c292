package dev.echo.examples.demo;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 client for the demo and the tests: sends one command, reads one reply. Replies are
 * returned as Java values: a simple string or bulk string as {@code String}, an integer as {@code Long}, nil as
 * {@code null}, an array as {@code List}, and an error as a {@link RespError} value (not thrown).
 *
 * <p>Not thread-safe: one connection, one caller.
 */
public final class RespClient implements AutoCloseable {
    private static final int MAX_BULK = 64 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /**
     * An error reply.
     *
     * @param message the text after the dash, e.g. {@code NOQUORUM ...}
     */
    public record RespError(String message) {
        /** The error's first word, e.g. {@code NOQUORUM}. */
        public String prefix() {
            int space = message.indexOf(' ');
            return space < 0 ? message : message.substring(0, space);
        }
    }

    /** Connects to {@code host:port}, giving up after {@code timeoutMillis} per connect and per reply. */
    public RespClient(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends a command and returns its reply. */
    public Object call(String... arguments) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String argument : arguments) {
            byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(bytes);
            request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(request.toByteArray());
        out.flush();
        return readReply();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private Object readReply() throws IOException {
        int type = in.read();
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new RespError(line);
            case ':':
                return Long.parseLong(line);
            case '$':
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                if (length > MAX_BULK) {
                    throw new IOException("bulk reply of " + length + " bytes");
                }
                byte[] bytes = in.readNBytes(length);
                readLine();
                return new String(bytes, StandardCharsets.UTF_8);
            case '*':
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(readReply());
                }
                return items;
            case -1:
                throw new IOException("connection closed");
            default:
                throw new IOException("not a RESP reply: " + (char) type + line);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\r'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            line.write(b);
        }
        if (in.read() != '\n') {
            throw new IOException("RESP line without \\n");
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
