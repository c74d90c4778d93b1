package lsk.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import lsk.LskException;

/**
 * init_channel of a {@link SimKernel}: the same {@code struct lgssd_ioctl_param} the real
 * kernel gets (filled by the shim), except that the two buffers it points to travel inline
 * after it, since the simulator cannot read this process's memory. Frame: param struct ·
 * uuid + NUL · token; answer: s64 status · u32 length · reply buffer (all little-endian).
 */
final class SimKernelChannel implements KernelChannel {
    static final int PARAM_SIZE = 72;
    static final int OFF_VERSION = 0;
    static final int OFF_SECID = 4;
    static final int OFF_SVC = 16;
    static final int OFF_UID = 20;
    static final int OFF_GID = 24;
    static final int OFF_TOKEN_SIZE = 32;
    static final int OFF_REPLY_SIZE = 48;

    private final Path path;
    private final ChannelNative shim;

    SimKernelChannel(Path path, ChannelNative shim) {
        this.path = path;
        this.shim = shim;
    }

    @Override
    public ReplyBuffer negotiate(InitRequest r) throws LskException {
        byte[] tok = r.token();
        byte[] param = new byte[PARAM_SIZE];
        long rc = shim.lsk_init_param_fill(param, param.length, r.secid(), null, r.lustreSvc(), r.uid(), r.gid(),
                null, tok.length, null, ReplyBuffer.SIZE, null);
        if (rc != PARAM_SIZE) {
            throw new IllegalStateException("lgssd_ioctl_param size " + rc);
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.writeBytes(param);
        frame.writeBytes(RealKernelChannel.cstr(r.uuid()));
        frame.writeBytes(tok);
        try (SocketChannel ch = SocketChannel.open(java.net.UnixDomainSocketAddress.of(path))) {
            ch.write(ByteBuffer.wrap(frame.toByteArray()));
            ch.shutdownOutput();
            InputStream in = Channels.newInputStream(ch);
            ByteBuffer head = ByteBuffer.wrap(in.readNBytes(12)).order(ByteOrder.LITTLE_ENDIAN);
            if (head.remaining() < 12) {
                throw new LskException("simulated kernel at " + path + " closed the channel", LskException.Errno.EIO);
            }
            long status = head.getLong();
            int len = head.getInt();
            if (status != 0) {
                throw new LskException("kernel negotiation for " + r.uuid() + " failed: status " + status,
                        (int) Math.min(Integer.MAX_VALUE, Math.abs(status)));
            }
            if (len < 0 || len > ReplyBuffer.SIZE) {
                throw new LskException("simulated kernel reply length " + len, LskException.Errno.EPROTO);
            }
            byte[] reply = new byte[ReplyBuffer.SIZE];
            int n = in.readNBytes(reply, 0, len);
            return ReplyBuffer.parse(reply, n);
        } catch (IOException e) {
            throw new LskException("init_channel " + path + ": " + e.getMessage(), LskException.Errno.EIO, e);
        }
    }
}
