package lsk.gssd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import lsk.LskException;
import lsk.handshake.GssException;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.Log;
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
 * <p>Concurrency: one selector thread reads all connections without blocking, with a byte
 * bound and a per-connection deadline, so a slow or silent peer costs nothing but a key; full
 * lines go to a pool of one worker per core for the handshake. Bad input is logged and
 * answered; the daemon keeps serving.
 */
public final class Svcgssd implements AutoCloseable {
    /** lsvcgssd's default socket (GSS_SOCKET_PATH). */
    public static final Path DEFAULT_SOCKET = Path.of("/tmp/svcgssd.socket");
    public static final String MECH_NAME = "sk";

    public record Options(Path socket, LustreKernel kernel, boolean skEnabled, Duration readTimeout, int workers) {
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
    private final Answers answers;
    private SocketFile socket;
    private ServerSocketChannel server;
    private Selector selector;
    private Thread reader;

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
        socket = SocketFile.bind(options.socket(), 512, DaemonNative.load(), log);
        try {
            server = socket.channel();
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            close();
            throw new LskException("cannot listen on " + options.socket() + ": " + e.getMessage(),
                    LskException.Errno.EACCES, e);
        }
        reader = new Thread(this::selectLoop, "svcgssd-reader");
        reader.setDaemon(true);
        reader.start();
        log.log(Log.INFO, "listening on " + options.socket());
    }

    /** Blocks until {@link #close()} (foreground daemon). */
    public void join() throws InterruptedException {
        reader.join();
    }

    public long completed() {
        return completed.get();
    }

    public long failed() {
        return failed.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /**
     * Bytes all unfinished requests may hold together. Any local user can connect to the socket;
     * without a cap, many connections each sending most of a {@link UpcallLine#MAX_LINE} line
     * and stalling would grow the heap without bound until the read timeouts fire.
     */
    static final int MAX_BUFFERED = 32 << 20;
    /** Complete requests waiting for a worker. */
    static final int MAX_QUEUED = 128;
    private static final int INITIAL_BUFFER = 4096;

    /** Sum of the capacities of the open connections' buffers; selector thread only. */
    private long buffered;

    private static final class Conn {
        final long deadline;
        ByteBuffer buf = ByteBuffer.allocate(INITIAL_BUFFER);
        /** Bytes of buf already searched for the newline (each byte is looked at once). */
        int scanned;

        Conn(long deadline) {
            this.deadline = deadline;
        }
    }

    private void selectLoop() {
        try {
            while (selector.isOpen()) {
                selector.select(200);
                if (!selector.isOpen()) {
                    return;
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        accept();
                    } else if (k.isReadable()) {
                        read(k);
                    }
                }
                expire();
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed
        }
    }

    private void accept() throws IOException {
        SocketChannel c;
        while ((c = server.accept()) != null) {
            if (buffered + INITIAL_BUFFER > MAX_BUFFERED) {
                c.close();
                dropped.incrementAndGet();
                log.log(Log.ERR, "ERROR: too many unfinished requests; connection refused");
                continue;
            }
            buffered += INITIAL_BUFFER;
            c.configureBlocking(false);
            long deadline = System.nanoTime() + options.readTimeout().toNanos();
            c.register(selector, SelectionKey.OP_READ, new Conn(deadline));
        }
    }

    private void read(SelectionKey k) {
        SocketChannel c = (SocketChannel) k.channel();
        Conn conn = (Conn) k.attachment();
        try {
            int n;
            while ((n = c.read(conn.buf)) > 0) {
                if (!conn.buf.hasRemaining()) {
                    if (conn.buf.capacity() > UpcallLine.MAX_LINE) {
                        drop(k, "request longer than " + UpcallLine.MAX_LINE + " bytes");
                        return;
                    }
                    int size = Math.min(conn.buf.capacity() * 2, UpcallLine.MAX_LINE + 1);
                    if (buffered - conn.buf.capacity() + size > MAX_BUFFERED) {
                        drop(k, "too many unfinished requests buffered");
                        return;
                    }
                    buffered += size - conn.buf.capacity();
                    ByteBuffer bigger = ByteBuffer.allocate(size);
                    conn.buf.flip();
                    conn.buf = bigger.put(conn.buf);
                }
            }
            // Only the new bytes: a peer dripping a long line byte by byte must not cost a
            // rescan of the whole buffer per byte.
            int nl = indexOf(conn.buf, conn.scanned, (byte) '\n');
            conn.scanned = conn.buf.position();
            if (nl >= 0) {
                byte[] line = Arrays.copyOf(conn.buf.array(), nl + 1);
                boolean trailing = conn.buf.position() > nl + 1;
                close(k);
                if (trailing) {
                    dropped.incrementAndGet();
                    log.log(Log.ERR, "ERROR: bytes after the request line; request ignored");
                    return;
                }
                workers.execute(() -> handle(line));
            } else if (n < 0) {
                drop(k, conn.buf.position() == 0 ? null : "request not terminated by a newline");
            }
        } catch (IOException e) {
            drop(k, "read failed: " + e.getMessage());
        }
    }

    private static int indexOf(ByteBuffer b, int from, byte v) {
        byte[] a = b.array();
        for (int i = from; i < b.position(); i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private void expire() {
        long now = System.nanoTime();
        for (SelectionKey k : selector.keys()) {
            if (k.attachment() instanceof Conn conn && now - conn.deadline > 0) {
                drop(k, "no complete request within " + options.readTimeout().toMillis() + " ms");
            }
        }
    }

    private void drop(SelectionKey k, String why) {
        close(k);
        if (why != null) {
            dropped.incrementAndGet();
            log.log(Log.ERR, "ERROR: failed reading request: " + why);
        }
    }

    private void close(SelectionKey k) {
        if (k.attachment() instanceof Conn conn) {
            buffered -= conn.buf.capacity();
            k.attach(null);
        }
        k.cancel();
        try {
            k.channel().close();
        } catch (IOException e) {
            // nothing to do
        }
    }

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
        if (req.mech() != UpcallLine.MECH_SK || !options.skEnabled()) {
            String what = switch (req.mech()) {
                case UpcallLine.MECH_KRB5 -> "kerberos";
                case UpcallLine.MECH_NULL -> "gssnull";
                case UpcallLine.MECH_SK -> "SSK (not enabled: start with -s)";
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
        try {
            if (selector != null) {
                selector.close();
            }
        } catch (IOException e) {
            // best effort
        }
        if (socket != null) {
            socket.close();
        }
        workers.shutdown();
        try {
            workers.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
