package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import lsk.kernel.KernelContext;
import lsk.kernel.KernelContextCodec;

/**
 * The kernel context blob parser (what the kernel, and our kernel model, import from userspace
 * downcalls). Its declared rejection is {@link IllegalArgumentException} naming the field.
 */
class KernelContextFuzzTest {
    @FuzzTest
    void decode(byte[] data) {
        KernelContext c;
        try {
            c = KernelContextCodec.decode(data);
        } catch (IllegalArgumentException e) {
            return;
        }
        KernelContext again = KernelContextCodec.decode(KernelContextCodec.encode(c));
        if (!again.equals(c)) {
            throw Fuzz.fail("decode/encode/decode changed the context");
        }
        Fuzz.assertNoSecret("KernelContext.toString", c.toString(), c.hmacKey(), data);
        Fuzz.assertNoSecret("KernelContext.toString", c.toString(), c.encryptKey(), data);
    }
}
