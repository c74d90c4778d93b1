package lsk.kernel;

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
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import lsk.LskException;

/**
 * The client half of a {@link SimKernel}: {@code init_channel} as a Unix socket that takes the
 * {@code struct lgssd_ioctl_param} a client writes (see {@link SimKernelChannel} for the
 * frame), checks it as the kernel of that version does and hands the token to the kernel's
 * SEC_CTX_INIT.
 */
final class SimInitChannel {
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

    private void serve(SocketChannel c) {
        try (c) {
            InputStream in = Channels.newInputStream(c);
            byte[] param = in.readNBytes(SimKernelChannel.PARAM_SIZE);
            long status;
            byte[] reply = new byte[0];
            try {
                reply = negotiate(param, in).encode();
                status = 0;
            } catch (LskException e) {
                log.accept("simkernel: negotiation failed: " + e.getMessage());
                status = -e.errno();
            }
            ByteBuffer out = ByteBuffer.allocate(12 + reply.length).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(status).putInt(reply.length).put(reply).flip();
            while (out.hasRemaining()) {
                c.write(out);
            }
        } catch (IOException e) {
            log.accept("simkernel: init_channel client: " + e.getMessage());
        }
    }

    private ReplyBuffer negotiate(byte[] param, InputStream in) throws LskException, IOException {
        if (param.length != SimKernelChannel.PARAM_SIZE) {
            throw new LskException("short lgssd_ioctl_param write", LskException.Errno.EINVAL);
        }
        ByteBuffer p = ByteBuffer.wrap(param).order(ByteOrder.LITTLE_ENDIAN);
        if (p.getInt(SimKernelChannel.OFF_VERSION) != 2) {
            throw new LskException("lgssd_ioctl_param version " + p.getInt(0), LskException.Errno.EINVAL);
        }
        long tokenSize = p.getLong(SimKernelChannel.OFF_TOKEN_SIZE);
        if (p.getLong(SimKernelChannel.OFF_REPLY_SIZE) < 24 || tokenSize <= 0 || tokenSize > 64 * 1024) {
            throw new LskException("lgssd_ioctl_param sizes invalid", LskException.Errno.EINVAL);
        }
        byte[] uuid = readCString(in, 64);
        byte[] token = in.readNBytes((int) tokenSize);
        if (token.length != tokenSize) {
            throw new LskException("token truncated", LskException.Errno.EINVAL);
        }
        return kernel.secCtxInit(p.getInt(SimKernelChannel.OFF_SVC), new String(uuid, StandardCharsets.US_ASCII),
                token);
    }

    private static byte[] readCString(InputStream in, int max) throws IOException, LskException {
        byte[] b = new byte[max];
        for (int i = 0; i < max; i++) {
            int c = in.read();
            if (c < 0) {
                throw new LskException("uuid truncated", LskException.Errno.EINVAL);
            }
            if (c == 0) {
                return Arrays.copyOf(b, i);
            }
            b[i] = (byte) c;
        }
        throw new LskException("uuid longer than " + max, LskException.Errno.EINVAL);
    }
}
