package dev.echo.examples.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KvOpTest {
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void everyOperationSurvivesItsEncoding() {
        for (KvOp.Op op : KvOp.Op.values()) {
            KvOp written = KvOp.of(op, bytes("key"), new byte[0], bytes("value"));
            KvOp read = KvOp.decode(written.encode());
            assertEquals(op, read.op());
            assertEquals(3, read.arguments().size());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(written.arguments().get(i), read.arguments().get(i));
            }
        }
    }

    @Test
    void theCodesOnDiskNeverChange() { // journals and snapshots hold them: a renumbering would change old commands
        List<KvOp.Op> inCodeOrder = List.of(
                KvOp.Op.SET, KvOp.Op.SET_NX, KvOp.Op.SET_XX, KvOp.Op.SET_IFEQ, KvOp.Op.DEL, KvOp.Op.INCR, KvOp.Op.GET);
        for (int code = 0; code < inCodeOrder.size(); code++) {
            assertEquals(
                    code,
                    KvOp.of(inCodeOrder.get(code)).encode()[0],
                    inCodeOrder.get(code).name());
        }
    }

    @Test
    void malformedBytesAreRefusedAsIllegalArguments() {
        byte[] good = KvOp.of(KvOp.Op.SET, bytes("k"), bytes("v")).encode();
        byte[] unknownOp = good.clone();
        unknownOp[0] = 99;
        byte[] hugeLength = good.clone();
        hugeLength[5] = 0x7f; // the first argument claims about 2 GiB
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        for (byte[] bad : List.of(new byte[0], new byte[] {0, 0}, unknownOp, hugeLength, truncated, trailing)) {
            assertThrows(IllegalArgumentException.class, () -> KvOp.decode(bad));
        }
    }
}
