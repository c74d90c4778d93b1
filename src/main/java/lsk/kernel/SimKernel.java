package lsk.kernel;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
    /** The version a simulated kernel plays unless told otherwise: the newest layout (master). */
    public static final LustreVersion NEWEST = LustreVersion.of(2, 17, 54);

    /**
     * @param clientNid   the NID the simulated server sees for the client (u64)
     * @param peerNodemap the nodemap the simulated server puts the client in
     * @param timeout     how long a negotiation waits for the daemon's downcall
     */
    public record Config(Path root, LustreVersion version, Path daemonSocket, long clientNid, String peerNodemap,
                         Duration timeout) {
    }

    private final Config config;
    private final LustreKernel kernel;
    private final ParamPaths paths;
    private final ChannelNative shim;
    private final Consumer<String> log;
    // Random start, as the kernel's hashes are: a daemon's error downcall for a stray request line
    // (hash 1, say) must not be taken for the answer to a real negotiation.
    private final AtomicLong nextHash = new AtomicLong(new java.security.SecureRandom().nextLong() >>> 8);
    private final AtomicLong nextIndex = new AtomicLong(0x5eed_0000_0000_0001L);
    private final Map<Long, CompletableFuture<Downcalls.Rsi>> pending = new ConcurrentHashMap<>();
    // By handle. A future, because the rsc FIFO is read by its own thread: the client's reply must
    // wait for its context, as in the real kernel, where the daemon's rsc write() installs the
    // context before the daemon even writes the rsi (found by the hostile-load test).
    private final Map<String, CompletableFuture<Downcalls.Rsc>> contexts = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "simkernel");
        t.setDaemon(true);
        return t;
    });
    private ServerSocketChannel initChannel;
    private RandomAccessFile rsiFifo;
    private RandomAccessFile rscFifo;

    private SimKernel(Config config, ChannelNative shim, Consumer<String> log) throws LskException {
        this.config = config;
        this.paths = new ParamPaths(config.root());
        this.kernel = LustreKernel.of(paths, config.version());
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

    /** The version this kernel plays and its layouts. */
    public LustreKernel kernel() {
        return kernel;
    }

    /** The server context the daemon handed down for {@code handle}, if any. */
    public Optional<Downcalls.Rsc> serverContext(byte[] handle) {
        CompletableFuture<Downcalls.Rsc> f = contexts.get(HexFormat.of().formatHex(handle));
        return f != null && f.isDone() ? Optional.of(f.join()) : Optional.empty();
    }

    public int serverContextCount() {
        return (int) contexts.values().stream().filter(CompletableFuture::isDone).count();
    }

    private CompletableFuture<Downcalls.Rsc> context(byte[] handle) {
        return contexts.computeIfAbsent(HexFormat.of().formatHex(handle), h -> new CompletableFuture<>());
    }

    private void open() throws IOException, LskException {
        KernelAbi abi = kernel.abi();
        Path version = LustreKernel.versionFile(paths);
        Files.createDirectories(version.getParent());
        Files.writeString(version, config.version() + "\n");
        for (String p : KernelAbi.placedParams()) {
            Files.createDirectories(paths.simulated(abi, p).getParent());
        }
        Path dbg = paths.simulated(abi, ParamPaths.KEYRING_DEBUG_LEVEL);
        if (!Files.exists(dbg)) {
            Files.writeString(dbg, "1\n");
        }
        rsiFifo = fifo(paths.simulated(abi, ParamPaths.RSI_DOWNCALL));
        rscFifo = fifo(paths.simulated(abi, ParamPaths.RSC_DOWNCALL));
        initChannel = SimInitChannel.bind(this, paths.simulated(abi, ParamPaths.INIT_CHANNEL), workers, log);
        workers.execute(() -> readDowncalls(rsiFifo, Downcalls.RSI_HEADER, Downcalls.RSI_OFF_LEN, this::onRsi));
        workers.execute(() -> readDowncalls(rscFifo, Downcalls.RSC_HEADER, Downcalls.RSC_OFF_LEN, this::onRsc));
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

    /**
     * The kernel's SEC_CTX_INIT for one init_channel write: the upcall line to the daemon, then
     * the rsi downcall (and, on success, the rsc context) it answers with.
     */
    ReplyBuffer secCtxInit(int lustreSvc, String uuid, byte[] token) throws LskException {
        long hash = nextHash.getAndIncrement();
        UpcallLine line = new UpcallLine(hash, Integer.toUnsignedLong(lustreSvc),
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
                        + uuid + ": " + e.getMessage(),
                        LskException.Errno.EACCES, e);
            }
            long deadline = System.nanoTime() + config.timeout().toNanos();
            Downcalls.Rsi rsi = answer.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!Arrays.equals(rsi.inToken(), token)) {
                throw new LskException("rsi downcall echoes another token", LskException.Errno.EINVAL);
            }
            if (rsi.major() == 0 && rsi.err() == 0 && rsi.outHandle().length > 0) {
                try {
                    context(rsi.outHandle()).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    contexts.remove(HexFormat.of().formatHex(rsi.outHandle()));
                    throw new LskException("rsi downcall without its rsc context within " + config.timeout(),
                            LskException.Errno.ETIMEDOUT);
                }
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
        context(rsc.handle()).complete(rsc);
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
                Files.deleteIfExists(paths.simulated(kernel.abi(), ParamPaths.INIT_CHANNEL));
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
