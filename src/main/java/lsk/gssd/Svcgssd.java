package lsk.gssd;

import lsk.unixsock.DaemonNative;
import lsk.unixsock.SocketFile;
import lsk.unixsock.SocketDir;
import lsk.unixsock.Peers;
import lsk.unixsock.Activation;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.handshake.Responder;
import lsk.kernel.CacheChannelLines;
import lsk.kernel.CacheChannelNative;
import lsk.kernel.ChannelNative;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;

/**
 * A running lsvcgssd: a bound socket, its {@link RequestReader} (framing: one request line per
 * connection, within {@link RequestReader.Limits}) on one selector thread, and a pool of one
 * worker per core (at most {@link #MAX_WORKERS}) running the {@link RequestHandler} (the SK handshake and the downcalls). Made
 * only started ({@link #start}), so every field is final and a shutdown hook may close it from
 * any thread.
 *
 * <p>A slow or silent peer costs nothing but a key; bad input is logged and answered; the
 * daemon keeps serving.
 *
 * <p>On Lustre 2.15.x ({@link KernelAbi.Server#CACHE_CHANNELS}) there is no socket: a
 * {@link ChannelServer} reads the requests from the sunrpc init channel instead and the same
 * handler answers on the channels ({@link ChannelAnswers}), with the same worker pool.
 */
public final class Svcgssd implements AutoCloseable {
    /** The default socket's directory: root's, mode 0700 ({@link SocketDir}). */
    public static final Path DEFAULT_DIR = SocketDir.RUN_LSK;
    /** Where lsk's l_getauth (target/native/l_getauth) sends requests. */
    public static final Path DEFAULT_SOCKET = DEFAULT_DIR.resolve("svcgssd.socket");
    /**
     * Lustre's socket (GSS_SOCKET_PATH), where Lustre's own /usr/sbin/l_getauth sends them: use
     * {@code --socket /tmp/svcgssd.socket} with that helper. The C daemon's single-instance
     * semaphore guards it ({@link SingleInstance}).
     */
    public static final Path LUSTRE_SOCKET = Path.of("/tmp/svcgssd.socket");
    public static final String MECH_NAME = "sk";
    /** Complete requests waiting for a worker. */
    static final int MAX_QUEUED = 128;
    /**
     * Most workers, whatever the core count: the daemon shares a storage server, and 8 cores'
     * worth of handshakes (some 2000/s) outpace any mount storm (docs/performance.md, 2026-11-30).
     */
    static final int MAX_WORKERS = 8;

    public record Options(Path socket, LustreKernel kernel, boolean skEnabled, Duration readTimeout, int workers,
                          RequestReader.Limits limits) {
        public Options(Path socket, LustreKernel kernel, boolean skEnabled, Duration readTimeout, int workers) {
            this(socket, kernel, skEnabled, readTimeout, workers, RequestReader.Limits.DEFAULT);
        }

        public static Options defaults(LustreKernel kernel) {
            return new Options(DEFAULT_SOCKET, kernel, true, Duration.ofSeconds(5),
                    Runtime.getRuntime().availableProcessors());
        }
    }

    /** Null when serving the cache channels. */
    private final SocketFile socket;
    private final RequestHandler handler;
    /** Exactly one of reader (socket) and channels is set. */
    private final RequestReader reader;
    private final ChannelServer channels;
    private final String servedOn;
    private final ExecutorService workers;
    private final Thread thread;

    private Svcgssd(SocketFile socket, RequestHandler handler, RequestReader reader, ChannelServer channels,
                    String servedOn, ExecutorService workers) {
        this.socket = socket;
        this.handler = handler;
        this.reader = reader;
        this.channels = channels;
        this.servedOn = servedOn;
        this.workers = workers;
        this.thread = new Thread(reader != null ? reader : channels, "svcgssd-reader");
        thread.setDaemon(true);
    }

    /**
     * Binds the socket and serves in the background. A live socket at the path (another daemon)
     * is refused and left alone; only a stale one is replaced ({@link SocketFile}).
     */
    public static Svcgssd start(Options options, Responder responder, ChannelNative shim, Log log)
            throws LskException {
        if (options.kernel().abi().server() == KernelAbi.Server.CACHE_CHANNELS) {
            return serveChannels(options, responder, log, CacheChannelNative.load());
        }
        DaemonNative sys = DaemonNative.load();
        return serve(options, responder, shim, log, SocketFile.bind(options.socket(), 512, sys, log), sys);
    }

    /** Serves on a socket systemd passed ({@link Activation}); it stays when the daemon ends. */
    static Svcgssd start(Options options, Responder responder, ChannelNative shim, Log log,
                         ServerSocketChannel inherited) throws LskException {
        if (options.kernel().abi().server() == KernelAbi.Server.CACHE_CHANNELS) {
            log.log(Log.WARN, "Lustre " + options.kernel().version() + " sends requests on its cache channels:"
                    + " the socket systemd passed is not used");
            return serveChannels(options, responder, log, CacheChannelNative.load());
        }
        return serve(options, responder, shim, log, SocketFile.inherited(inherited, log), DaemonNative.load());
    }

    private static Svcgssd serve(Options options, Responder responder, ChannelNative shim, Log log,
                                 SocketFile socket, DaemonNative sys) throws LskException {
        RequestHandler handler = new RequestHandler(options.kernel(), options.skEnabled(), responder, shim, log);
        ExecutorService workers = workers(options.workers());
        RequestReader reader;
        try {
            reader = new RequestReader(socket.channel(), options.limits(), options.readTimeout(),
                    Peers.rootAnd(sys.lsk_geteuid()), log, new RequestReader.Sink() {
                        @Override
                        public void line(byte[] line) {
                            long received = System.nanoTime(); // latency includes the queue
                            workers.execute(() -> handler.handle(line, received));
                        }

                        @Override
                        public void shed(byte[] partial) {
                            workers.execute(() -> handler.shed(partial));
                        }

                        @Override
                        public void dropped(DaemonStats.Drop why) {
                            handler.stats().dropped(why);
                        }

                        @Override
                        public void refused() {
                            handler.stats().refused();
                        }
                    });
        } catch (IOException | LskException e) {
            socket.close();
            stop(workers);
            throw new LskException("cannot listen on " + socket.path() + ": " + e.getMessage(), Errno.EACCES, e);
        }
        Svcgssd d = new Svcgssd(socket, handler, reader, null, socket.path().toString(), workers);
        d.thread.start();
        log.log(Log.INFO, "listening on " + socket.path());
        return d;
    }

    /**
     * Lustre 2.15.x: requests from the init channel, answers on it and on the context channel,
     * under the parameter root (the real /proc/net/rpc, or a simulated kernel's).
     */
    static Svcgssd serveChannels(Options options, Responder responder, Log log, CacheChannelNative cc) {
        ParamPaths paths = options.kernel().paths();
        ChannelFile init = new ChannelFile(cc, paths, CacheChannelLines.initChannel(paths), CacheChannelNative.O_RDWR,
                log);
        ChannelFile context = new ChannelFile(cc, paths, CacheChannelLines.contextChannel(paths),
                CacheChannelNative.O_WRONLY, log);
        ChannelAnswers answers = new ChannelAnswers(init, context, log, () -> System.currentTimeMillis() / 1000);
        RequestHandler handler = new RequestHandler(answers, options.skEnabled(), responder, log,
                DaemonStats.forThisProcess());
        ExecutorService workers = workers(options.workers());
        ChannelServer channels = new ChannelServer(cc, init, context, handler, answers, workers, log);
        Svcgssd d = new Svcgssd(null, handler, null, channels, init.path().toString(), workers);
        d.thread.start();
        log.log(Log.INFO, "reading requests from " + init.path());
        return d;
    }

    /**
     * Bounded queue: complete lines wait here (up to MAX_LINE each). When it is full the reader
     * thread handles the request itself, so it stops reading until the workers catch up: memory
     * stays bounded and no request is lost.
     */
    private static ExecutorService workers(int wanted) {
        int n = Math.max(1, Math.min(wanted, MAX_WORKERS));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                    Thread t = new Thread(r, "svcgssd-worker");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        pool.allowCoreThreadTimeOut(true); // an idle daemon keeps no worker (stack, malloc cache)
        return pool;
    }

    /** The socket served on (the passed one's path under socket activation); null on cache channels. */
    public Path socketPath() {
        return socket == null ? null : socket.path();
    }

    /** What requests come from: the socket's path, or the init channel's. */
    public String servedOn() {
        return servedOn;
    }

    /**
     * Blocks until the reader ends: by {@link #close()}, or by a failure ({@link #failure()}),
     * after which the daemon must exit non-zero so that it is restarted.
     */
    public void join() throws InterruptedException {
        thread.join();
    }

    /** Why the reader thread died, if it did other than by {@link #close()}. */
    public Optional<Throwable> failure() {
        return reader != null ? reader.failure() : channels.failure();
    }

    public long completed() {
        return handler.completed();
    }

    public long failed() {
        return handler.failed();
    }

    /** The counters since start ({@code lsk status}). */
    public lsk.status.Snapshot snapshot() {
        return handler.snapshot();
    }

    /** Connections dropped unfinished (timeout, overlong, shed under pressure). */
    public long dropped() {
        return reader != null ? reader.dropped() : channels.dropped();
    }

    /** Connections refused because the peer is not root ({@link Peers}). */
    public long refused() {
        return reader != null ? reader.refused() : 0;
    }

    /** Stops serving; removes the socket file only if it is still the one this daemon bound. */
    @Override
    public void close() {
        if (reader != null) {
            reader.close();
            socket.close();
        } else {
            channels.close();
        }
        stop(workers);
    }

    private static void stop(ExecutorService workers) {
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
