package lsk.kernel.sim;

import lsk.base.Errno;
import lsk.kernel.ChannelNative;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreKernel;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.UpcallLine;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
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
import lsk.base.ByteString;
import lsk.base.DecodeException;
import lsk.base.LskException;
import lsk.sk.GssException;

/**
 * A loopback stand-in for the Lustre kernel, for hosts without Lustre: a parameter tree under
 * its own root ({@link ParamPaths} with that root finds it) holding
 * <ul>
 * <li>{@code sptlrpc/gss/init_channel}, a Unix socket taking the client's negotiation
 *     ({@link SocketKernelChannel}); each one becomes the rsi upcall line the server kernel hands
 *     to lsvcgssd: by running the program {@code sptlrpc/gss/rsi_upcall} names (l_getauth), as
 *     the kernel does ({@link SimRsiUpcall}), or, with {@code NONE}, by writing it to the
 *     daemon's socket itself; the daemon's rsi downcall becomes the client's reply buffer;</li>
 * <li>{@code sptlrpc/gss/rsi_info} and {@code rsc_info}, FIFOs the daemon writes its downcalls
 *     to exactly as to the real files (one write per downcall), read in this version's layout
 *     with decoders of their own ({@link SimDowncalls});</li>
 * <li>{@code sptlrpc/gss/lgss_keyring/debug_level};</li>
 * <li>2.15.x instead of rsi_upcall, rsi_info and rsc_info: the sunrpc cache channel files
 *     {@code proc/net/rpc/auth.sptlrpc.{init,context}/channel} ({@link SimCacheChannels}).</li>
 * </ul>
 * Each file sits in the tree this version's kernel puts it in ({@link KernelAbi#treeOf}).
 * Client and server side share the one simulated kernel (loopback), so the server contexts it
 * receives can be checked against the clients'.
 */
public final class SimKernel implements AutoCloseable {
    /** GSS sequence window the simulated server grants (the kernel's GSS_SEQ_WIN_MAIN). */
    public static final int SEQ_WINDOW = 2048;
    /** The version a simulated kernel plays unless told otherwise: the newest layout (master). */
    public static final LustreVersion NEWEST = LustreVersion.of(2, 17, 54);

    /** The kernel's default rsi upcall program. */
    public static final String DEFAULT_UPCALL = SimRsiUpcall.DEFAULT;
    /** rsi_upcall value for "no program": this simulator writes the line to the daemon's socket. */
    public static final String UPCALL_NONE = SimRsiUpcall.NONE;

    /**
     * @param clientNid   the NID the simulated server sees for the client (u64)
     * @param peerNodemap the nodemap the simulated server puts the client in
     * @param timeout     how long a negotiation waits for the daemon's downcall (the kernel's
     *                    rsi acquire timeout)
     * @param upcall      what {@code sptlrpc/gss/rsi_upcall} holds: the program to run per
     *                    SEC_CTX_INIT (the kernel's default is {@link #DEFAULT_UPCALL}), or
     *                    {@link #UPCALL_NONE}
     */
    public record Config(Path root, LustreVersion version, Path daemonSocket, long clientNid, String peerNodemap,
                         Duration timeout, String upcall) {
        /**
         * Without an upcall program: this simulator writes the line to the daemon's socket
         * (in-process tests; never whatever may be installed in /usr/sbin).
         */
        public Config(Path root, LustreVersion version, Path daemonSocket, long clientNid, String peerNodemap,
                      Duration timeout) {
            this(root, version, daemonSocket, clientNid, peerNodemap, timeout, UPCALL_NONE);
        }

        /** The same kernel, running {@code program} as its rsi upcall. */
        public Config withUpcall(String program) {
            return new Config(root, version, daemonSocket, clientNid, peerNodemap, timeout, program);
        }
    }

    /** Bigger than any pipe, so that one read takes every whole write present. */
    private static final int READ_BUFFER = 1 << 20;
    /** How often the rsc FIFO is drained when no rsi arrives to trigger it. */
    private static final long RSC_POLL_MS = 50;

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
    // By handle. Installed before any later rsi is looked at: the kernel's rsc write() installs
    // the context before the daemon even writes its rsi (found by the hostile-load test), so the
    // rsi reader drains the rsc FIFO first (see readRsi).
    private final Map<String, Downcalls.Rsc> contexts = new ConcurrentHashMap<>();
    private final Object rscLock = new Object();
    private final byte[] rscBuf = new byte[READ_BUFFER];
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "simkernel");
        t.setDaemon(true);
        return t;
    });
    private ServerSocketChannel initChannel;
    private RandomAccessFile rsiFifo;
    private RandomAccessFile rscFifo;
    private FileInputStream rscPending;
    private SimRsiUpcall upcall;
    private SimCacheChannels cache; // 2.15.x: the sunrpc cache channels instead of upcall and FIFOs

    private SimKernel(Config config, ChannelNative shim, Consumer<String> log) throws LskException {
        this.config = config;
        this.paths = new ParamPaths(config.root());
        this.kernel = LustreKernel.of(paths, config.version());
        this.shim = shim;
        this.log = log;
    }

    /**
     * Creates the tree under {@code config.root()} and starts serving. The root is created if
     * missing; an existing one must be a directory of root's (or this user's), not a link and not
     * writable by group or others, as every directory of the tree: root's daemon writes session
     * keys into it ({@link ParamPaths#checkTrusted}).
     */
    public static SimKernel start(Config config, Consumer<String> log) throws LskException {
        SimTree.prepareRoot(config.root());
        SimKernel k = new SimKernel(config, ChannelNative.load(), log);
        try {
            k.open();
        } catch (IOException e) {
            k.close();
            throw new LskException("simulated kernel under " + config.root() + ": " + e.getMessage(),
                    Errno.EIO, e);
        } catch (LskException e) {
            k.close();
            throw e;
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
        return Optional.ofNullable(contexts.get(HexFormat.of().formatHex(handle)));
    }

    public int serverContextCount() {
        return contexts.size();
    }

    private void open() throws IOException, LskException {
        KernelAbi abi = kernel.abi();
        Path version = LustreKernel.versionFile(paths);
        Files.createDirectories(version.getParent(), SimTree.DIR_MODE);
        for (String p : abi.params()) {
            Files.createDirectories(paths.simulated(abi, p).getParent(), SimTree.DIR_MODE);
        }
        // Checked before anything is written: only root (or this user) can have put anything there.
        paths.checkTrusted(version);
        for (String p : abi.params()) {
            paths.checkTrusted(paths.simulated(abi, p));
        }
        SimTree.writeFile(version, config.version() + "\n", true);
        SimTree.writeFile(paths.simulated(abi, ParamPaths.KEYRING_DEBUG_LEVEL), "1\n", false);
        if (cache()) {
            cache = SimCacheChannels.open(paths, SimCacheChannels.sink(pending, contexts), config.timeout(), workers,
                    log);
        } else {
            openUpcall(abi);
        }
        initChannel = SimInitChannel.bind(this, paths.simulated(abi, ParamPaths.INIT_CHANNEL), workers, log);
    }

    /** 2.15.59 and later: rsi_upcall runs the helper; the daemon writes rsi_info and rsc_info. */
    private void openUpcall(KernelAbi abi) throws IOException, LskException {
        Path upcallParam = paths.simulated(abi, ParamPaths.RSI_UPCALL);
        Files.deleteIfExists(upcallParam); // written anew below, never through what was there
        upcall = new SimRsiUpcall(upcallParam, config.upcall(), config.daemonSocket(), log);
        upcall.install();
        rsiFifo = fifo(paths.simulated(abi, ParamPaths.RSI_DOWNCALL));
        rscFifo = fifo(paths.simulated(abi, ParamPaths.RSC_DOWNCALL));
        rscPending = new FileInputStream(rscFifo.getFD());
        workers.execute(this::readRsi);
        workers.execute(this::pollRsc);
    }

    private RandomAccessFile fifo(Path p) throws IOException, LskException {
        Files.deleteIfExists(p); // a link itself, never its target
        long rc = shim.lsk_mkfifo(p.toString(), 0600);
        if (rc < 0) {
            throw new LskException("mkfifo " + p + ": errno " + -rc, (int) -rc);
        }
        // Read-write so that opening never blocks and writers never see EOF/EPIPE between downcalls.
        // The directory is trusted (checked in open): nobody else can swap the FIFO for a link now.
        return new RandomAccessFile(p.toFile(), "rw");
    }

    /**
     * The kernel's SEC_CTX_INIT for one init_channel write: the upcall line to the daemon, then
     * the rsi downcall (and, on success, the rsc context) it answers with.
     */
    ReplyBuffer secCtxInit(int lustreSvc, String uuid, byte[] token) throws LskException {
        long hash = nextHash.getAndIncrement();
        UpcallLine line = new UpcallLine(hash, Integer.toUnsignedLong(lustreSvc),
                config.clientNid(), nextIndex.getAndIncrement(), config.peerNodemap(), ByteString.empty(),
                ByteString.copyOf(token));
        CompletableFuture<Downcalls.Rsi> answer = new CompletableFuture<>();
        pending.put(hash, answer);
        try {
            try {
                if (cache != null) {
                    cache.send(line);
                } else {
                    upcall.send(line);
                }
            } catch (LskException e) {
                throw new LskException(e.getMessage() + " (for " + uuid + ")", e.errno(), e);
            }
            Downcalls.Rsi rsi = answer.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!rsi.inToken().equals(line.inToken())) {
                throw new LskException("rsi downcall echoes another token", Errno.EINVAL);
            }
            String handle = HexFormat.of().formatHex(rsi.outHandle().toByteArray());
            if (rsi.major() == 0 && rsi.err() == 0 && !rsi.outHandle().isEmpty() && !contexts.containsKey(handle)) {
                // The kernel looks the context up by the rsi's handle and, without one, sends
                // the client an error notification at once.
                log.accept("simkernel: no server context for handle " + handle
                        + " (its rsc downcall was refused or never written): authentication failed");
                return new ReplyBuffer(0, GssException.GSS_S_FAILURE, 0, 0, ByteString.empty(), ByteString.empty());
            }
            return new ReplyBuffer(rsi.err(), rsi.major(), rsi.minor(), SEQ_WINDOW, rsi.outHandle(), rsi.outToken());
        } catch (TimeoutException e) {
            throw new LskException("no rsi downcall within " + config.timeout(), Errno.ETIMEDOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LskException("interrupted", Errno.EIO);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof LskException l ? l : new LskException("rsi: " + e.getCause(), Errno.EIO);
        } finally {
            pending.remove(hash);
        }
    }

    private boolean cache() {
        return SimCacheChannels.applies(kernel);
    }

    private void onRsi(byte[] write) {
        try {
            Downcalls.Rsi rsi = SimDowncalls.rsi(write);
            CompletableFuture<Downcalls.Rsi> f = pending.get(rsi.hash());
            if (f == null) {
                log.accept("simkernel: rsi downcall for unknown hash " + Long.toUnsignedString(rsi.hash()));
            } else {
                f.complete(rsi);
            }
        } catch (DecodeException e) {
            log.accept("simkernel: " + kernel + ": " + SimDowncalls.refusal(e).getMessage());
        }
    }

    private void onRsc(byte[] write) {
        try {
            Downcalls.Rsc rsc = SimDowncalls.rsc(write, kernel.abi().rscHeader);
            contexts.put(HexFormat.of().formatHex(rsc.handle().toByteArray()), rsc);
        } catch (DecodeException e) {
            log.accept("simkernel: " + kernel + ": " + SimDowncalls.refusal(e).getMessage() + "; no context installed");
        } finally {
            Arrays.fill(write, (byte) 0);
        }
    }

    /**
     * Reads the rsi FIFO until {@link #close}. Through the file's channel, not its stream:
     * closing (or interrupting) an interruptible channel wakes a reader blocked on an idle FIFO,
     * which a stream read never notices. Before each read's rsi downcalls are taken, the rsc
     * FIFO is drained: the daemon's rsc for a request is in it before the rsi is written.
     */
    private void readRsi() {
        byte[] buf = new byte[READ_BUFFER];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        try {
            while (true) {
                bb.clear();
                int n = rsiFifo.getChannel().read(bb);
                if (n < 0) {
                    return;
                }
                drainRsc();
                SimDowncalls.splitWrites(buf, n, SimDowncalls.Layout.RSI, this::onRsi);
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Contexts written without an rsi after them still get installed (and the pipe never fills). */
    private void pollRsc() {
        try {
            while (true) {
                Thread.sleep(RSC_POLL_MS);
                if (!drainRsc()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Takes every rsc write present, without blocking; false once the FIFO is closed. */
    private boolean drainRsc() {
        synchronized (rscLock) {
            try {
                while (rscPending.available() > 0) {
                    int n = rscFifo.getChannel().read(ByteBuffer.wrap(rscBuf));
                    if (n <= 0) {
                        break;
                    }
                    SimDowncalls.splitWrites(rscBuf, n, SimDowncalls.Layout.rsc(kernel.abi().rscHeader), this::onRsc);
                    Arrays.fill(rscBuf, 0, n, (byte) 0);
                }
                return true;
            } catch (IOException e) {
                return false;
            }
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
        closeQuietly(cache);
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
