package lsk.kernel;

import lsk.base.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import lsk.base.LskException;

/**
 * init_channel of a simulated kernel ({@code lsk.kernel.sim}), the client's end. The write carries the
 * {@code struct lgssd_ioctl_param} of this client's layout exactly as the shim fills it for
 * the real kernel, at its real size; the two buffers its pointers name travel inline after it,
 * since the simulator cannot read this process's memory. All little-endian:
 * <pre>
 * request: u32 n · the n bytes written · uuid + NUL · token
 * answer:  s64 write() result (n, or -errno)
 *          · u32 n · n bytes the kernel copied back over the written struct (0 or the struct size)
 *          · u32 n · n bytes it stored at the status pointer (0 or 8)
 *          · u32 n · n bytes it put in the reply buffer
 * </pre>
 * The answer is then read by {@link InitOutcome}, exactly as after a real write.
 */
public final class SocketKernelChannel implements KernelChannel {
    /** Longest answer part accepted: the reply buffer. */
    static final int MAX_PART = ReplyBuffer.SIZE;

    private final Path path;
    private final ChannelNative shim;
    private final KernelAbi.IoctlParam layout;

    public SocketKernelChannel(Path path, ChannelNative shim, KernelAbi.IoctlParam layout) {
        this.path = path;
        this.shim = shim;
        this.layout = layout;
    }

    @Override
    public ReplyBuffer negotiate(InitRequest r) throws LskException {
        byte[] tok = r.token().toByteArray();
        byte[] param = new byte[layout.size];
        long n = shim.lsk_init_param_fill(param, param.length, layout.size, r.secid(), null, r.lustreSvc(), r.uid(),
                r.gid(), null, tok.length, null, ReplyBuffer.SIZE, null);
        if (n != layout.size) {
            throw new IllegalStateException("lgssd_ioctl_param fill for layout " + layout.size + ": " + n);
        }
        byte[] uuid = (r.uuid() + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer frame = ByteBuffer.allocate(4 + param.length + uuid.length + tok.length)
                .order(ByteOrder.LITTLE_ENDIAN).putInt(param.length).put(param).put(uuid).put(tok).flip();
        try (SocketChannel ch = SocketChannel.open(java.net.UnixDomainSocketAddress.of(path))) {
            while (frame.hasRemaining()) {
                ch.write(frame);
            }
            ch.shutdownOutput();
            InputStream in = Channels.newInputStream(ch);
            byte[] rcBytes = in.readNBytes(8);
            if (rcBytes.length < 8) {
                throw new LskException("simulated kernel at " + path + " closed the channel", Errno.EIO);
            }
            long rc = ByteBuffer.wrap(rcBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] copied = part(in, "copied-back struct");
            byte[] pointee = part(in, "status");
            byte[] replied = part(in, "reply");
            if ((copied.length != 0 && copied.length != param.length) || (pointee.length != 0 && pointee.length != 8)) {
                throw new LskException("simulated kernel answer: " + copied.length + "-byte struct, "
                        + pointee.length + "-byte status", Errno.EPROTO);
            }
            long writeErrno = rc < 0 ? rc : rc == param.length ? 0 : -Errno.EIO;
            byte[] after = copied.length > 0 ? copied : param;
            long status = pointee.length == 8 ? ByteBuffer.wrap(pointee).order(ByteOrder.LITTLE_ENDIAN).getLong() : 0;
            byte[] reply = new byte[ReplyBuffer.SIZE];
            System.arraycopy(replied, 0, reply, 0, replied.length);
            return InitOutcome.complete(path, layout, r.uuid(), writeErrno, after, status, reply);
        } catch (IOException e) {
            throw new LskException("init_channel " + path + ": " + e.getMessage(), Errno.EIO, e);
        }
    }

    private static byte[] part(InputStream in, String what) throws IOException, LskException {
        byte[] len = in.readNBytes(4);
        if (len.length < 4) {
            throw new LskException("simulated kernel answer truncated before the " + what, Errno.EPROTO);
        }
        int n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (n < 0 || n > MAX_PART) {
            throw new LskException("simulated kernel answer: " + what + " of " + n + " bytes", Errno.EPROTO);
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new LskException("simulated kernel answer: " + what + " truncated", Errno.EPROTO);
        }
        return b;
    }
}
