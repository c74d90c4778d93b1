package lsk.kernel;

import lsk.base.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.OptionalLong;
import lsk.base.DecodeException;
import lsk.base.LskException;

/**
 * What an {@code init_channel} write left behind, read the same way whichever kernel took it
 * (the real one or a {@link SimKernel}): the {@code struct lgssd_ioctl_param} buffer as it is
 * after the write, and the s64 its status pointer pointed to.
 * <ul>
 * <li>{@link KernelAbi.IoctlParam#P80_STATUS_COPIED_BACK}: the kernel copied the struct back;
 *     status s64 at {@value #OFF_STATUS}, reply length u64 at {@value #OFF_REPLY_LENGTH};</li>
 * <li>{@link KernelAbi.IoctlParam#P72_STATUS_POINTER}: the kernel wrote the status to the
 *     pointee; there is no reply length.</li>
 * </ul>
 *
 * @param status      0, or the kernel's negative errno
 * @param replyLength bytes the kernel put in the reply buffer, where the layout reports it
 */
public record InitOutcome(long status, OptionalLong replyLength) {
    /** Offsets in the 80-byte struct (host order, little-endian on x86_64). */
    static final int OFF_STATUS = 64;
    static final int OFF_REPLY_LENGTH = 72;
    /** Largest errno the kernel returns (MAX_ERRNO). */
    static final int MAX_ERRNO = 4095;

    /** The status and reply length after a write of {@code layout}. */
    public static InitOutcome read(KernelAbi.IoctlParam layout, byte[] paramAfterWrite, long statusPointee) {
        if (paramAfterWrite.length != layout.size) {
            throw new IllegalArgumentException("lgssd_ioctl_param of " + paramAfterWrite.length + " bytes, layout "
                    + layout.size);
        }
        return switch (layout) {
            case P80_STATUS_COPIED_BACK -> {
                ByteBuffer b = ByteBuffer.wrap(paramAfterWrite).order(ByteOrder.LITTLE_ENDIAN);
                yield new InitOutcome(b.getLong(OFF_STATUS), OptionalLong.of(b.getLong(OFF_REPLY_LENGTH)));
            }
            case P72_STATUS_POINTER -> new InitOutcome(statusPointee, OptionalLong.empty());
        };
    }

    /**
     * The client's side of a finished write, for every channel: a failed write, then a non-zero
     * status, fail; else the reply buffer, parsed within the length the kernel reports.
     *
     * @param writeErrno 0, or the negative errno of the open or write
     * @param reply      the reply buffer as the kernel left it
     */
    static ReplyBuffer complete(Path path, KernelAbi.IoctlParam layout, String uuid, long writeErrno,
                                byte[] paramAfterWrite, long statusPointee, byte[] reply) throws LskException {
        if (writeErrno < 0) {
            // lgss_keyring makes any failed write EACCES for the key; the real errno is logged.
            throw new LskException("write of the " + layout.size + "-byte lgssd_ioctl_param to " + path
                    + " failed: errno " + -writeErrno + (writeErrno == -Errno.EINVAL
                    ? " (the kernel takes another size or version: is the Lustre version right?)" : ""),
                    Errno.EACCES);
        }
        InitOutcome o = read(layout, paramAfterWrite, statusPointee);
        if (o.status != 0) {
            int errno = o.status < 0 && o.status >= -MAX_ERRNO ? (int) -o.status : Errno.EPROTO;
            throw new LskException("kernel negotiation for " + uuid + " failed: status " + o.status, errno);
        }
        int length = reply.length;
        if (o.replyLength.isPresent()) {
            long n = o.replyLength.getAsLong();
            if (n < 0 || n > reply.length) {
                throw new LskException("kernel reports a reply of " + Long.toUnsignedString(n) + " bytes in a "
                        + reply.length + "-byte buffer", Errno.EPROTO);
            }
            // 0 is taken as "not reported" (lgss_keyring never reads it): the whole buffer.
            length = n > 0 ? (int) n : reply.length;
        }
        try {
            return ReplyBuffer.parse(reply, length);
        } catch (DecodeException e) {
            throw new LskException(e.getMessage(), Errno.EPROTO, e);
        }
    }
}
