package dev.echo.testkit.runtime;

import dev.echo.core.StateMachine;
import java.nio.ByteBuffer;

/** A replicated counter: every command adds its 8-byte amount; a query reads the total. Loop thread only. */
class Counter implements StateMachine {
    private long total;
    private long applied;

    @Override
    public byte[] apply(long index, byte[] command) {
        applied++;
        total += ByteBuffer.wrap(command).getLong();
        return encode(total);
    }

    @Override
    public byte[] query(byte[] query) {
        return encode(total);
    }

    long applied() {
        return applied;
    }

    static byte[] encode(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    static long decode(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getLong();
    }
}
