package lsk.gssd;

import lsk.sk.Mech;
import lsk.base.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import lsk.base.LskException;
import lsk.sk.GssException;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;
import lsk.kernel.UpcallLine;

/**
 * The SK part of lsvcgssd: reads one request line per connection on a Unix stream socket
 * and answers through the kernel's downcall files: on success the rsc downcall (server
 * context) first, then the rsi downcall (reply token), both in the layouts of the running
 * Lustre version ({@link Answers}); on any failure an rsi downcall with {@code -EACCES} and the
 * GSS major status, as the C daemon does, and also when the rsc write fails (where C answers
 * success).
 *
 * <p>Concurrency: one selector thread ({@link RequestReader}) reads all connections without
 * blocking, from root peers only, with a byte bound and a per-connection deadline, so a slow or
 * silent peer costs nothing but a key; full lines go to a pool of one worker per core for the
 * handshake. Bad input is logged and answered; the daemon keeps serving.
 */
public final class Svcgssd implements AutoCloseable {
    /** The default socket's directory: root's, mode 0700 ({@link SocketDir}). */
    public static final Path DEFAULT_DIR = Path.of("/run/lsk");
    /** Where lsk's l_getauth (target/native/l_getauth) sends requests. */
    public static final Path DEFAULT_SOCKET = DEFAULT_DIR.resolve("svcgssd.socket");
    /**
     * Lustre's socket (GSS_SOCKET_PATH), where Lustre's own /usr/sbin/l_getauth sends them: use
     * {@code --socket /tmp/svcgssd.socket} with that helper. The C daemon's single-instance
     * semaphore guards it ({@link SingleInstance}).
     */
    public static final Path LUSTRE_SOCKET = Path.of("/tmp/svcgssd.socket");
    public static final String MECH_NAME = "sk";

    /**
     * What unfinished requests may hold: at most {@code maxConnections} open connections and
     * {@code maxBuffered} bytes of buffers in all ({@link RequestReader}).
     */
    public record Limits(int maxConnections, long maxBuffered) {
        public static final Limits DEFAULT = new Limits(1024, 32L << 20);

        public Limits {
            if (maxConnections < 1 || maxBuffered < (long) maxConnections * RequestReader.INITIAL_BUFFER
                    + 2L * (UpcallLine.MAX_LINE + 1)) {
                throw new IllegalArgumentException("limits too small for one full request line");
            }
        }
    }

    public record Options(Path socket, LustreKernel kernel, boolean skEnabled, Duration readTimeout, int workers,
                          Limits limits) {
        public Options(Path socket, LustreKernel kernel, boolean skEnabled, Duration readTimeout, int workers) {
            this(socket, kernel, skEnabled, readTimeout, workers, Limits.DEFAULT);
        }

        public static Options defaults(LustreKernel kernel) {
            return new Options(DEFAULT_SOCKET, kernel, true, Duration.ofSeconds(5),
                    Runtime.getRuntime().availableProcessors());
        }
    }

    private final Options options;
    private final Responder responder;
    private final Log log;
    private final ExecutorService workers;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Answers answers;
    private SocketFile socket;
    private RequestReader reader;
    private Thread thread;

    public Svcgssd(Options options, Responder responder, ChannelNative shim, Log log) {
        this.options = options;
        this.responder = responder;
        this.log = log;
        this.answers = new Answers(options.kernel(), shim, log);
        // Bounded queue: complete lines wait here (up to MAX_LINE each). When it is full the
        // reader thread handles the request itself, so it stops reading until the workers catch
        // up: memory stays bounded and no request is lost.
        int n = Math.max(1, options.workers());
        this.workers = new ThreadPoolExecutor(n, n, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED),
                r -> {
                    Thread t = new Thread(r, "svcgssd-worker");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /**
     * Binds the socket and starts serving in the background. A live socket at the path (another
     * daemon) is refused and left alone; only a stale one is replaced ({@link SocketFile}).
     */
    public void start() throws LskException {
        DaemonNative sys = DaemonNative.load();
        serve(SocketFile.bind(options.socket(), 512, sys, log), sys);
    }

    /** Serves on a socket systemd passed ({@link Activation}); it stays when the daemon ends. */
    void start(ServerSocketChannel inherited) throws LskException {
        serve(SocketFile.inherited(inherited, log), DaemonNative.load());
    }

    private void serve(SocketFile bound, DaemonNative sys) throws LskException {
        socket = bound;
        try {
            reader = new RequestReader(socket.channel(), options.limits(), options.readTimeout(),
                    Peers.rootAnd(sys.lsk_geteuid()), log, new RequestReader.Sink() {
                        @Override
                        public void line(byte[] line) {
                            workers.execute(() -> handle(line));
                        }

                        @Override
                        public void shed(byte[] partial) {
                            workers.execute(() -> answers.errorForHash(partial));
                        }
                    }, dropped, refused);
        } catch (IOException | LskException e) {
            close();
            throw new LskException("cannot listen on " + socket.path() + ": " + e.getMessage(),
                    Errno.EACCES, e);
        }
        thread = new Thread(reader, "svcgssd-reader");
        thread.setDaemon(true);
        thread.start();
        log.log(Log.INFO, "listening on " + socket.path());
    }

    /** The socket served on (the passed one's path under socket activation). */
    public Path socketPath() {
        return socket.path();
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
        return reader == null ? Optional.empty() : reader.failure();
    }

    public long completed() {
        return completed.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Connections dropped unfinished (timeout, overlong, shed under pressure). */
    public long dropped() {
        return dropped.get();
    }

    /** Connections refused because the peer is not root ({@link Peers}). */
    public long refused() {
        return refused.get();
    }

    /** Complete requests waiting for a worker. */
    static final int MAX_QUEUED = 128;

    /** Handles one complete request line (newline included). Public for in-process tests. */
    public void handle(byte[] raw) {
        UpcallLine req;
        try {
            req = UpcallLine.parse(raw);
        } catch (UpcallLine.Malformed e) {
            failed.incrementAndGet();
            log.log(Log.ERR, "ERROR: " + e.getMessage());
            answers.errorForHash(raw);
            return;
        }
        log.log(Log.INFO, "handling req: svc " + req.service() + ", nid 0x" + Long.toHexString(req.nid())
                + ", idx 0x" + Long.toHexString(req.handleSeq()) + " nodemap " + req.nodemap());
        if (req.mech() != Mech.SK || !options.skEnabled()) {
            String what = switch (req.mech()) {
                case Mech.KRB5 -> "kerberos";
                case Mech.NULL -> "gssnull";
                case Mech.SK -> "SSK (not enabled: start with -s)";
                default -> "mechanism " + req.mech();
            };
            log.log(Log.WARN, "warning: request for " + what + ": not supported");
            reject(req, GssException.GSS_S_BAD_MECH);
            return;
        }
        try {
            Responder.Result r = responder.accept(req.inToken(), req.nid(), req.nodemap());
            byte[] handle = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(req.handleSeq()).array();
            if (!answers.context(req, r, handle)) {
                // The C daemon ignores a failed rsc write and still answers success, handing the
                // client a handle the kernel has no context for, so the failure only shows later
                // and far from its cause. An error answer fails the client's SEC_CTX_INIT at once
                // (no 30 s upcall timeout either) with the reason logged here.
                reject(req, GssException.GSS_S_FAILURE);
                return;
            }
            answers.success(req, handle, r.responseToken());
            completed.incrementAndGet();
            log.log(Log.INFO, "sk: context established for nid 0x" + Long.toHexString(req.nid()));
        } catch (GssException e) {
            log.log(Log.ERR, "ERROR: sk negotiation from nid 0x" + Long.toHexString(req.nid()) + " failed: "
                    + e.getMessage());
            reject(req, e.major());
        } catch (LskException e) {
            log.log(Log.ERR, "ERROR: downcall failed: " + e.getMessage());
            failed.incrementAndGet();
        } catch (RuntimeException e) {
            log.log(Log.ERR, "ERROR: sk negotiation from nid 0x" + Long.toHexString(req.nid())
                    + " failed internally: " + e.getClass().getSimpleName());
            reject(req, GssException.GSS_S_FAILURE);
        }
    }

    private void reject(UpcallLine req, int major) {
        failed.incrementAndGet();
        answers.error(req, major);
    }

    /** Stops serving; removes the socket file only if it is still the one this daemon bound. */
    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
        if (socket != null) {
            socket.close();
        }
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
