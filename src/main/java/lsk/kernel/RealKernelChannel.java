package lsk.kernel;

import com.sun.jna.Memory;
import java.nio.file.Path;
import lsk.base.LskException;

/**
 * The Lustre kernel's init_channel: one write of {@code struct lgssd_ioctl_param} in the
 * running version's layout (by the shim, jni/initchannel.c); the status is then read by
 * {@link InitOutcome} from the written buffer or the status pointee.
 */
final class RealKernelChannel implements KernelChannel {
    private final Path path;
    private final ChannelNative shim;
    private final KernelAbi.IoctlParam layout;

    RealKernelChannel(Path path, ChannelNative shim, KernelAbi.IoctlParam layout) {
        this.path = path;
        this.shim = shim;
        this.layout = layout;
    }

    @Override
    public ReplyBuffer negotiate(InitRequest r) throws LskException {
        byte[] tok = r.token().toByteArray();
        try (Memory param = new Memory(layout.size);
             Memory token = new Memory(Math.max(1, tok.length));
             Memory reply = new Memory(ReplyBuffer.SIZE);
             Memory status = new Memory(8)) {
            param.clear();
            token.write(0, tok, 0, tok.length);
            reply.clear();
            status.setLong(0, 0);
            long rc = shim.lsk_init_channel(path.toString(), param, layout.size, layout.size, r.secid(), r.uuid(),
                    r.lustreSvc(), r.uid(), r.gid(), token, tok.length, reply, ReplyBuffer.SIZE, status);
            return InitOutcome.complete(path, layout, r.uuid(), Math.min(rc, 0), param.getByteArray(0, layout.size),
                    status.getLong(0), reply.getByteArray(0, ReplyBuffer.SIZE));
        }
    }
}
