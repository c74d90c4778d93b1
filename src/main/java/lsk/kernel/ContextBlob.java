package lsk.kernel;

import java.util.Arrays;

/**
 * The SK context blob as the C tools hand it to the kernel (rsc downcall, client key
 * payload): the defined bytes of {@link KernelContextCodec}, then zeros up to
 * {@code sizeof(struct sk_kernel_ctx)} (336) plus the key lengths, the length the C code
 * sends (its tail is uninitialised heap there; the kernel ignores it).
 */
public final class ContextBlob {
    public static final int SK_KERNEL_CTX_STRUCT = 336;

    private ContextBlob() {
    }

    public static byte[] forKernel(KernelContext c) {
        byte[] defined = KernelContextCodec.encode(c);
        int total = SK_KERNEL_CTX_STRUCT + c.hmacKey().size() + c.encryptKey().size();
        if (defined.length >= total) {
            return defined;
        }
        byte[] out = Arrays.copyOf(defined, total);
        Arrays.fill(defined, (byte) 0);
        return out;
    }
}
