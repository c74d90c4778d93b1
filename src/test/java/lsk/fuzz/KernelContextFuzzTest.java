package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import lsk.base.DecodeException;
import lsk.kernel.KernelContext;
import lsk.kernel.KernelContextCodec;

/**
 * The kernel context blob parser (what the kernel, and our kernel model, import from userspace
 * downcalls). Its declared rejection is {@link DecodeException} naming the field.
 */
class KernelContextFuzzTest {
    @FuzzTest
    void decode(byte[] data) {
        KernelContext c;
        try {
            c = KernelContextCodec.decode(data);
        } catch (DecodeException e) {
            return;
        }
        KernelContext again;
        try {
            again = KernelContextCodec.decode(KernelContextCodec.encode(c));
        } catch (DecodeException e) {
            throw Fuzz.fail("a context it decoded does not decode again: " + e.getMessage());
        }
        if (!again.equals(c)) {
            throw Fuzz.fail("decode/encode/decode changed the context");
        }
        Fuzz.assertNoSecret("KernelContext.toString", c.toString(), c.hmacKey().reveal(), data);
        Fuzz.assertNoSecret("KernelContext.toString", c.toString(), c.encryptKey().reveal(), data);
    }
}
