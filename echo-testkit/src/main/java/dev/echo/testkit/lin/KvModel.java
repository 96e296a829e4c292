package dev.echo.testkit.lin;

import dev.echo.testkit.kv.KvCommand;
import java.nio.charset.StandardCharsets;

/**
 * The sequential model of {@link dev.echo.testkit.kv.KvStateMachine}: independent registers, one per key, so a
 * history is checked key by key. Stateless.
 */
public final class KvModel implements Model<String> {
    @Override
    public String initial() {
        return "";
    }

    @Override
    public String apply(String state, byte[] command, byte[] output) {
        return KvLinearizability.step(state, KvCommand.decode(command), text(output));
    }

    @Override
    public boolean answers(String state, byte[] query, byte[] output) {
        return KvLinearizability.step(state, KvCommand.decode(query), text(output)) != null;
    }

    @Override
    public Object partition(byte[] commandOrQuery) {
        return KvCommand.decode(commandOrQuery).key();
    }

    /**
     * Only a get that answers the value a put or compare-and-set writes shows it: the workload's values are unique.
     * Compared as encoded bytes, without decoding: the check asks this of every pair of a known and an unknown
     * operation on a key.
     */
    @Override
    public boolean reveals(byte[] operation, byte[] output, byte[] unknownCommand) {
        return switch (KvCommand.kindOf(operation)) {
            case GET -> KvCommand.valueEquals(unknownCommand, output);
            case CAS -> KvCommand.expectedIsValueOf(operation, unknownCommand);
            case PUT -> false;
        };
    }

    private static String text(byte[] output) {
        return output == null ? null : new String(output, StandardCharsets.UTF_8);
    }
}
