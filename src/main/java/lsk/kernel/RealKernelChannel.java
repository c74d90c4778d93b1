package lsk.kernel;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import lsk.LskException;

/** The Lustre kernel's init_channel: one write of {@code struct lgssd_ioctl_param} (by the shim). */
final class RealKernelChannel implements KernelChannel {
    private final Path path;
    private final ChannelNative shim;

    RealKernelChannel(Path path, ChannelNative shim) {
        this.path = path;
        this.shim = shim;
    }

    @Override
    public ReplyBuffer negotiate(InitRequest r) throws LskException {
        byte[] tok = r.token();
        try (Memory token = new Memory(Math.max(1, tok.length));
             Memory reply = new Memory(ReplyBuffer.SIZE);
             Memory status = new Memory(8)) {
            token.write(0, tok, 0, tok.length);
            reply.clear();
            status.setLong(0, 0);
            long rc = shim.lsk_init_channel(path.toString(), r.secid(), r.uuid(), r.lustreSvc(), r.uid(), r.gid(),
                    token, tok.length, reply, ReplyBuffer.SIZE, status);
            if (rc < 0) {
                throw new LskException("write to " + path + " failed: errno " + -rc, (int) -rc);
            }
            long st = status.getLong(0);
            if (st != 0) {
                throw new LskException("kernel negotiation for " + r.uuid() + " failed: status " + st,
                        (int) Math.min(Integer.MAX_VALUE, Math.abs(st)));
            }
            return ReplyBuffer.parse(reply.getByteArray(0, ReplyBuffer.SIZE), ReplyBuffer.SIZE);
        }
    }

    static byte[] cstr(String s) {
        return (s + "\0").getBytes(StandardCharsets.US_ASCII);
    }
}
