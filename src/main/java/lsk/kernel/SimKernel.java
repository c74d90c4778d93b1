package lsk.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import lsk.LskException;

/**
 * A loopback stand-in for the Lustre kernel, for hosts without Lustre: a parameter tree under
 * its own root ({@link ParamPaths} with that root finds it) holding
 * <ul>
 * <li>{@code sptlrpc/gss/init_channel}, a Unix socket taking the client's negotiation
 *     ({@link SimKernelChannel}); each one becomes the rsi upcall line the server kernel would
 *     send to lsvcgssd's socket, and the daemon's rsi downcall becomes the client's reply buffer;</li>
 * <li>{@code sptlrpc/gss/rsi_info} and {@code rsc_info}, FIFOs the daemon writes its downcalls
 *     to exactly as to the real files (one write per downcall);</li>
 * <li>{@code sptlrpc/gss/lgss_keyring/debug_level}.</li>
 * </ul>
 * Client and server side share the one simulated kernel (loopback), so the server contexts it
 * receives can be checked against the clients'.
 */
public final class SimKernel implements AutoCloseable {
    /** GSS sequence window the simulated server grants (the kernel's GSS_SEQ_WIN_MAIN). */
    public static final int SEQ_WINDOW = 2048;

    /**
     * @param clientNid   the NID the simulated server sees for the client (u64)
     * @param peerNodemap the nodemap the simulated server puts the client in
     * @param timeout     how long a negotiation waits for the daemon's downcall
     */
    public record Config(Path root, Path daemonSocket, long clientNid, String peerNodemap, Duration timeout) {
    }

    private final Config config;
    private final ParamPaths paths;
    private final ChannelNative shim;
    private final Consumer<String> log;
    // Random start, as the kernel's hashes are: a daemon's error downcall for a stray request line
    // (hash 1, say) must not be taken for the answer to a real negotiation.
    private final AtomicLong nextHash = new AtomicLong(new java.security.SecureRandom().nextLong() >>> 8);
    private final AtomicLong nextIndex = new AtomicLong(0x5eed_0000_0000_0001L);
    private final Map<Long, CompletableFuture<Downcalls.Rsi>> pending = new ConcurrentHashMap<>();
    private final Map<String, Downcalls.Rsc> contexts = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "simkernel");
        t.setDaemon(true);
        return t;
    });
    private ServerSocketChannel initChannel;
    private RandomAccessFile rsiFifo;
    private RandomAccessFile rscFifo;

    private SimKernel(Config config, ChannelNative shim, Consumer<String> log) {
        this.config = config;
        this.paths = new ParamPaths(config.root());
        this.shim = shim;
        this.log = log;
    }

    /** Creates the tree under {@code config.root()} and starts serving. */
    public static SimKernel start(Config config, Consumer<String> log) throws LskException {
        SimKernel k = new SimKernel(config, ChannelNative.load(), log);
        try {
            k.open();
        } catch (IOException e) {
            k.close();
            throw new LskException("simulated kernel under " + config.root() + ": " + e.getMessage(),
                    LskException.Errno.EIO, e);
        }
        return k;
    }

    public ParamPaths paths() {
        return paths;
    }

    /** The server context the daemon handed down for {@code handle}, if any. */
    public Optional<Downcalls.Rsc> serverContext(byte[] handle) {
        return Optional.ofNullable(contexts.get(HexFormat.of().formatHex(handle)));
    }

    public int serverContextCount() {
        return contexts.size();
    }

    private void open() throws IOException, LskException {
        Path gss = paths.simulatedBase().resolve("sptlrpc/gss");
        Files.createDirectories(gss.resolve("lgss_keyring"));
        Path dbg = gss.resolve("lgss_keyring/debug_level");
        if (!Files.exists(dbg)) {
            Files.writeString(dbg, "1\n");
        }
        rsiFifo = fifo(gss.resolve("rsi_info"));
        rscFifo = fifo(gss.resolve("rsc_info"));
        Path ic = gss.resolve("init_channel");
        Files.deleteIfExists(ic);
        initChannel = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        initChannel.bind(UnixDomainSocketAddress.of(ic));
        workers.execute(() -> readDowncalls(rsiFifo, Downcalls.RSI_HEADER, Downcalls.RSI_OFF_LEN, this::onRsi));
        workers.execute(() -> readDowncalls(rscFifo, Downcalls.RSC_HEADER, Downcalls.RSC_OFF_LEN, this::onRsc));
        workers.execute(this::acceptLoop);
    }

    private RandomAccessFile fifo(Path p) throws IOException, LskException {
        Files.deleteIfExists(p);
        long rc = shim.lsk_mkfifo(p.toString(), 0600);
        if (rc < 0) {
            throw new LskException("mkfifo " + p + ": errno " + -rc, (int) -rc);
        }
        // Read-write so that opening never blocks and writers never see EOF/EPIPE between downcalls.
        return new RandomAccessFile(p.toFile(), "rw");
    }

    private void acceptLoop() {
        while (initChannel.isOpen()) {
            try {
                SocketChannel c = initChannel.accept();
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
        long hash = nextHash.getAndIncrement();
        UpcallLine line = new UpcallLine(hash, Integer.toUnsignedLong(p.getInt(SimKernelChannel.OFF_SVC)),
                config.clientNid(), nextIndex.getAndIncrement(), config.peerNodemap(), new byte[0], token);
        CompletableFuture<Downcalls.Rsi> answer = new CompletableFuture<>();
        pending.put(hash, answer);
        try {
            try (SocketChannel d = SocketChannel.open(UnixDomainSocketAddress.of(config.daemonSocket()))) {
                ByteBuffer b = ByteBuffer.wrap(line.format());
                while (b.hasRemaining()) {
                    d.write(b);
                }
            } catch (IOException e) {
                throw new LskException("no lsvcgssd at " + config.daemonSocket() + " for "
                        + new String(uuid, StandardCharsets.US_ASCII) + ": " + e.getMessage(),
                        LskException.Errno.EACCES, e);
            }
            Downcalls.Rsi rsi = answer.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!Arrays.equals(rsi.inToken(), token)) {
                throw new LskException("rsi downcall echoes another token", LskException.Errno.EINVAL);
            }
            return new ReplyBuffer(rsi.err(), rsi.major(), rsi.minor(), SEQ_WINDOW, rsi.outHandle(), rsi.outToken());
        } catch (TimeoutException e) {
            throw new LskException("no rsi downcall within " + config.timeout(), LskException.Errno.ETIMEDOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LskException("interrupted", LskException.Errno.EIO);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new LskException("rsi: " + e.getCause(), LskException.Errno.EIO);
        } finally {
            pending.remove(hash);
        }
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

    private void onRsi(byte[] blob) {
        Downcalls.Rsi rsi = Downcalls.decodeRsi(blob);
        CompletableFuture<Downcalls.Rsi> f = pending.get(rsi.hash());
        if (f == null) {
            log.accept("simkernel: rsi downcall for unknown hash " + Long.toUnsignedString(rsi.hash()));
        } else {
            f.complete(rsi);
        }
    }

    private void onRsc(byte[] blob) {
        Downcalls.Rsc rsc = Downcalls.decodeRsc(blob);
        KernelContextCodec.decode(rsc.context()); // the kernel refuses a context it cannot import
        contexts.put(HexFormat.of().formatHex(rsc.handle()), rsc);
    }

    /**
     * Reads one downcall FIFO until {@link #close}. Through the file's channel, not its stream:
     * closing (or interrupting) an interruptible channel wakes a reader blocked on an idle FIFO,
     * which a stream read never notices.
     */
    private void readDowncalls(RandomAccessFile fifo, int header, int lenOff, Consumer<byte[]> sink) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer chunkBuf = ByteBuffer.allocate(16 * 1024);
        byte[] chunk = chunkBuf.array();
        java.nio.channels.FileChannel ch = fifo.getChannel();
        try {
            while (true) {
                chunkBuf.clear();
                int n = ch.read(chunkBuf);
                if (n < 0) {
                    return;
                }
                if (n > buf.remaining()) {
                    log.accept("simkernel: downcall overflow, dropping buffered bytes");
                    buf.clear();
                    continue;
                }
                buf.put(chunk, 0, n).flip();
                while (buf.remaining() >= header) {
                    long size = header + Integer.toUnsignedLong(buf.getInt(buf.position() + lenOff));
                    if (size > Downcalls.MAX_BLOB) {
                        log.accept("simkernel: downcall length " + size + " refused; resetting");
                        buf.position(buf.limit());
                        break;
                    }
                    if (buf.remaining() < size) {
                        break;
                    }
                    byte[] blob = new byte[(int) size];
                    buf.get(blob);
                    try {
                        sink.accept(blob);
                    } catch (RuntimeException e) {
                        log.accept("simkernel: bad downcall: " + e.getMessage());
                    }
                }
                buf.compact();
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() {
        try {
            if (initChannel != null) {
                initChannel.close();
                Files.deleteIfExists(paths.simulatedBase().resolve(ParamPaths.INIT_CHANNEL));
            }
        } catch (IOException e) {
            // best effort
        }
        closeQuietly(rsiFifo);
        closeQuietly(rscFifo);
        workers.shutdownNow();
        pending.values().forEach(f -> f.cancel(true));
    }

    /** After {@link #close}: waits until every thread of this kernel has ended. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
