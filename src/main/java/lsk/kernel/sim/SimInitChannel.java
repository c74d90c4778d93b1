package lsk.kernel.sim;

import lsk.base.DecodeException;
import lsk.base.Errno;
import lsk.kernel.KernelAbi;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import lsk.base.LskException;

/**
 * The client half of a {@link SimKernel}: {@code init_channel} as a Unix socket that takes the
 * {@code struct lgssd_ioctl_param} a client writes (see {@link SocketKernelChannel} for the
 * frame), checks it as the kernel of that version does and hands the token to the kernel's
 * SEC_CTX_INIT. The struct is decoded here by hand from the kernel's layouts (SK-PROTOCOL.md
 * section 7), not with lsk's own encoder:
 * <ul>
 * <li>a write of any other size than the version's is refused with EINVAL, and logged naming
 *     both sizes (as the kernel logs "ioctl size N, expect M");</li>
 * <li>so is an interface version other than 2, or an unreadable name;</li>
 * <li>anything later is reported in the status: 80-byte form, in the struct copied back (status
 *     at 64, reply length at 72); 72-byte form, in the s64 the status pointer names.</li>
 * </ul>
 */
final class SimInitChannel {
    // struct lgssd_ioctl_param, x86_64. Pointers (uuid 8, token 40, reply 56, 72-byte status 64)
    // are not followed: their buffers travel in the frame.
    static final int P_VERSION = 0;
    static final int P_SECID = 4;
    static final int P_LUSTRE_SVC = 16;
    static final int P_UID = 20;
    static final int P_GID = 24;
    static final int P_TOKEN_SIZE = 32;
    static final int P_REPLY_SIZE = 48;
    static final int P_STATUS = 64;        // 80-byte form: s64 value
    static final int P_REPLY_LENGTH = 72;  // 80-byte form: u64
    static final int SIZE_STATUS_VALUE = 80;   // 2.16.58 and earlier
    static final int SIZE_STATUS_POINTER = 72; // 2.16.59 and later
    static final int GSSD_INTERFACE_VERSION = 2;
    /** The kernel's buffer for the device name, NUL included. */
    static final int OBD_NAME_BUFFER = 64;
    static final int MAX_TOKEN = 64 * 1024;
    static final int MAX_FRAME = 4 + SIZE_STATUS_VALUE + OBD_NAME_BUFFER + MAX_TOKEN;
    static final int EFAULT = 14;

    private final SimKernel kernel;
    private final ServerSocketChannel server;
    private final Consumer<String> log;

    private SimInitChannel(SimKernel kernel, ServerSocketChannel server, Consumer<String> log) {
        this.kernel = kernel;
        this.server = server;
        this.log = log;
    }

    /** Binds {@code path} and serves it on {@code workers} until the returned channel is closed. */
    static ServerSocketChannel bind(SimKernel kernel, Path path, ExecutorService workers, Consumer<String> log)
            throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        SimInitChannel c = new SimInitChannel(kernel, s, log);
        workers.execute(() -> c.acceptLoop(workers));
        return s;
    }

    private void acceptLoop(ExecutorService workers) {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                workers.execute(() -> serve(c));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** The size this kernel's version takes. */
    static int expectedSize(KernelAbi abi) {
        return switch (abi.ioctlParam) {
            case P80_STATUS_COPIED_BACK -> SIZE_STATUS_VALUE;
            case P72_STATUS_POINTER -> SIZE_STATUS_POINTER;
        };
    }

    private void serve(SocketChannel c) {
        try (c) {
            InputStream in = Channels.newInputStream(c);
            ByteBuffer out = answer(in.readNBytes(MAX_FRAME + 1)).encode();
            while (out.hasRemaining()) {
                c.write(out);
            }
        } catch (IOException e) {
            log.accept("simkernel: init_channel client: " + e.getMessage());
        }
    }

    /** What the kernel did with one write: the write's result and what it stored for the writer. */
    record Answer(long writeResult, byte[] copiedBack, byte[] statusPointee, byte[] reply) {
        static Answer refused(int errno) {
            return new Answer(-errno, new byte[0], new byte[0], new byte[0]);
        }

        ByteBuffer encode() {
            ByteBuffer b = ByteBuffer.allocate(8 + 12 + copiedBack.length + statusPointee.length + reply.length)
                    .order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(writeResult);
            b.putInt(copiedBack.length).put(copiedBack);
            b.putInt(statusPointee.length).put(statusPointee);
            b.putInt(reply.length).put(reply);
            return b.flip();
        }
    }

    /** One write as the kernel's handler takes it: the struct, the device name, the rest of the frame. */
    record Write(int count, byte[] param, String name, ByteBuffer rest) {
    }

    /** The frame's struct and name, checked as the kernel does (a fault: the write fails, EINVAL). */
    Write decode(byte[] frame, KernelAbi abi) throws DecodeException {
        ByteBuffer f = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        if (frame.length < 4 || frame.length > MAX_FRAME) {
            throw new DecodeException("init_channel", "frame of " + frame.length + " bytes");
        }
        int count = f.getInt();
        int expect = expectedSize(abi);
        if (count != expect) {
            throw new DecodeException("init_channel", "ioctl size " + Integer.toUnsignedString(count) + ", expect "
                    + expect + " (Lustre " + kernel.kernel().version() + ")");
        }
        if (f.remaining() < count) {
            throw new DecodeException("init_channel", "write of " + f.remaining() + " bytes, not " + count);
        }
        byte[] param = new byte[count];
        f.get(param);
        int version = ByteBuffer.wrap(param).order(ByteOrder.LITTLE_ENDIAN).getInt(P_VERSION);
        if (version != GSSD_INTERFACE_VERSION) {
            throw new DecodeException("init_channel", "interface version " + version + ", expect "
                    + GSSD_INTERFACE_VERSION);
        }
        String name = cString(f);
        if (name == null) {
            throw new DecodeException("init_channel", "no device name within " + OBD_NAME_BUFFER + " bytes");
        }
        return new Write(count, param, name, f);
    }

    Answer answer(byte[] frame) {
        KernelAbi abi = kernel.kernel().abi();
        Write w;
        try {
            w = decode(frame, abi);
        } catch (DecodeException e) {
            log.accept("simkernel: " + e.getMessage());
            return Answer.refused(Errno.EINVAL);
        }
        int count = w.count();
        byte[] param = w.param();
        String name = w.name();
        ByteBuffer f = w.rest();
        ByteBuffer p = ByteBuffer.wrap(param).order(ByteOrder.LITTLE_ENDIAN);
        long status;
        byte[] reply = new byte[0];
        long tokenSize = p.getLong(P_TOKEN_SIZE);
        long replySize = p.getLong(P_REPLY_SIZE);
        if (tokenSize <= 0 || tokenSize > MAX_TOKEN || tokenSize != f.remaining()) {
            log.accept("simkernel: init_channel: token size " + Long.toUnsignedString(tokenSize) + " with "
                    + f.remaining() + " bytes sent");
            status = -Errno.EINVAL;
        } else {
            byte[] token = new byte[(int) tokenSize];
            f.get(token);
            try {
                reply = kernel.secCtxInit(p.getInt(P_LUSTRE_SVC), name, token).encode();
                status = 0;
                if (Long.compareUnsigned(reply.length, replySize) > 0) {
                    log.accept("simkernel: init_channel: reply of " + reply.length + " bytes, buffer "
                            + Long.toUnsignedString(replySize));
                    reply = new byte[0];
                    status = -EFAULT;
                }
            } catch (LskException e) {
                log.accept("simkernel: negotiation failed: " + e.getMessage());
                status = -e.errno();
            }
        }
        return switch (abi.ioctlParam) {
            case P80_STATUS_COPIED_BACK -> {
                p.putLong(P_STATUS, status).putLong(P_REPLY_LENGTH, reply.length);
                yield new Answer(count, param, new byte[0], reply);
            }
            case P72_STATUS_POINTER -> new Answer(count, new byte[0],
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, status).array(), reply);
        };
    }

    /** The NUL-terminated name after the struct, as the kernel copies it (at most its buffer). */
    private static String cString(ByteBuffer f) {
        int limit = Math.min(f.remaining(), OBD_NAME_BUFFER);
        for (int i = 0; i < limit; i++) {
            if (f.get(f.position() + i) == 0) {
                byte[] b = new byte[i];
                f.get(b).get();
                return i == 0 ? null : new String(b, StandardCharsets.US_ASCII);
            }
        }
        return null;
    }
}
