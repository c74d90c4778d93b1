package lsk.gssd;

import lsk.unixsock.Peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import lsk.cmd.Log;
import lsk.kernel.UpcallLine;

/**
 * The daemon's framing, with its limits ({@link Limits}): one selector thread that accepts
 * connections from allowed peers ({@link Peers}; others are closed at once, unread), reads one
 * request line from each without blocking, with a byte budget and a per-connection deadline, and
 * hands complete lines on ({@link Sink}). It never parses a line: {@link RequestHandler} does.
 *
 * <p>Pressure never shuts new connections out: every peer is root now, and the next connection
 * is most likely the kernel's l_getauth, which connects and writes its whole line at once. So
 * when the connection cap is reached the oldest unfinished connection is shed instead (after a
 * last read, which may still complete its line); a growing line that would exceed the byte budget
 * sheds older grown ones first; the initial buffers of a full table are reserved out of the
 * budget. A shed request whose hash is readable gets an error downcall ({@link Sink#shed}), so
 * its client fails at once rather than after the kernel's 30 s upcall timeout.
 *
 * <p>accept() errors (EMFILE, ENFILE, ENOBUFS) are logged, accepting pauses with an exponential
 * back-off (no busy loop on a pending connection), and the cap is lowered below the connections
 * open so that some fds stay free for the downcall writes; it comes back after a quiet period.
 * Anything else that ends this thread is recorded as its {@link #failure()}: the daemon then
 * exits non-zero.
 */
public final class RequestReader implements Runnable {
    /**
     * What unfinished requests may hold: at most {@code maxConnections} open connections and
     * {@code maxBuffered} bytes of buffers in all.
     */
    public record Limits(int maxConnections, long maxBuffered) {
        /**
         * 6 MiB: 4 for the first buffer of each of 1024 connections, 2 for 16 lines of the
         * longest size at once (a real line is a few KiB), within the daemon's small heap
         * (scripts/lsk-jvm.conf; docs/performance.md, 2026-11-30).
         */
        public static final Limits DEFAULT = new Limits(1024, 6L << 20);

        public Limits {
            if (maxConnections < 1 || maxBuffered < (long) maxConnections * INITIAL_BUFFER
                    + 2L * (UpcallLine.MAX_LINE + 1)) {
                throw new IllegalArgumentException("limits too small for one full request line");
            }
        }
    }

    /** Where lines go: {@code line} a complete request, {@code shed} the bytes of a dropped one. */
    interface Sink {
        void line(byte[] line);

        void shed(byte[] partial);

        /** A connection given up before a complete line (counters). */
        default void dropped(DaemonStats.Drop why) {
        }

        /** A connection refused: the peer is not allowed (counters). */
        default void refused() {
        }
    }

    static final int INITIAL_BUFFER = 4096;
    /** Accepts per select round, so that reading is never starved by a flood of connects. */
    static final int ACCEPTS_PER_ROUND = 64;
    /** Connections given up after an accept error: fds left for the workers' downcall writes. */
    static final int FD_HEADROOM = 8;
    static final Duration MIN_BACKOFF = Duration.ofMillis(10);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    /** Without accept errors for this long, the full connection cap and the back-off reset. */
    static final Duration QUIET = Duration.ofSeconds(10);

    private final ServerSocketChannel server;
    private final Selector selector;
    private final SelectionKey serverKey;
    private final Limits limits;
    private final long readTimeout;
    private final Peers peers;
    private final Log log;
    private final Sink sink;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    /** Open connections, oldest first (accept order, hence also deadline order). */
    private final LinkedHashSet<Conn> conns = new LinkedHashSet<>();
    /** Bytes held beyond the connections' initial buffers. */
    private long grown;
    private int cap;
    private long backoff;
    /** nanoTime when accepting resumes; 0 while accepting. */
    private long resumeAt;
    private long lastAcceptError;
    private int acceptedSinceError;
    private volatile boolean closing;
    private volatile Throwable failure;

    private static final class Conn {
        final SelectionKey key;
        final long deadline;
        ByteBuffer buf = ByteBuffer.allocate(INITIAL_BUFFER);
        /** Bytes of buf already searched for the newline (each byte is looked at once). */
        int scanned;

        Conn(SelectionKey key, long deadline) {
            this.key = key;
            this.deadline = deadline;
        }
    }

    RequestReader(ServerSocketChannel server, Limits limits, Duration readTimeout, Peers peers, Log log, Sink sink)
            throws IOException {
        this.server = server;
        this.limits = limits;
        this.readTimeout = readTimeout.toNanos();
        this.peers = peers;
        this.log = log;
        this.sink = sink;
        this.cap = limits.maxConnections();
        server.configureBlocking(false);
        this.selector = Selector.open();
        this.serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** Connections dropped unfinished (timeout, overlong, shed under pressure). */
    long dropped() {
        return dropped.get();
    }

    /** Connections refused because the peer is not allowed ({@link Peers}). */
    long refused() {
        return refused.get();
    }

    /** What ended the thread other than {@link #close()}, if anything. */
    Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    void close() {
        closing = true;
        try {
            selector.close();
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public void run() {
        try {
            while (!closing) {
                long now = System.nanoTime();
                long wait = resumeAt == 0 ? 200 : Math.max(1, Math.min(200, (resumeAt - now) / 1_000_000));
                selector.select(wait);
                if (closing) {
                    return;
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k == serverKey) {
                        acceptSome();
                    } else if (k.isReadable()) {
                        read((Conn) k.attachment());
                    }
                }
                now = System.nanoTime();
                resume(now);
                expire(now);
            }
        } catch (Throwable t) { // ClosedSelectorException included: only close() may close it
            if (!closing) {
                die(t);
            }
        }
    }

    private void die(Throwable t) {
        failure = t;
        log.log(Log.ERR, "ERROR: the request reader stopped: " + t);
    }

    private void acceptSome() throws IOException {
        for (int i = 0; i < ACCEPTS_PER_ROUND; i++) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                acceptFailed(e);
                return;
            }
            if (c == null) {
                return;
            }
            acceptedSinceError++;
            Optional<String> who = peers.refused(c);
            if (who.isPresent()) {
                c.close();
                refused.incrementAndGet();
                sink.refused();
                log.log(Log.WARN, "warning: refused a connection from user " + who.get()
                        + ": only root may send requests");
                continue;
            }
            while (conns.size() >= cap && !conns.isEmpty()) {
                shed(conns.iterator().next(), "too many open connections (" + conns.size() + ")",
                        DaemonStats.Drop.SHED);
            }
            c.configureBlocking(false);
            Conn conn = new Conn(c.register(selector, SelectionKey.OP_READ), System.nanoTime() + readTimeout);
            conn.key.attach(conn);
            conns.add(conn);
        }
    }

    /**
     * An accept error, most likely out of fds: the pending connection stays in the backlog and
     * would wake the selector at once, so accepting pauses; connections are shed down to a cap
     * that leaves {@link #FD_HEADROOM} fds free.
     */
    private void acceptFailed(IOException e) {
        long now = System.nanoTime();
        // Connections accepted since the last error: fds do come back (a shed connection's fd
        // is only closed at the next select), so the pause stays short; none: it doubles.
        backoff = backoff == 0 || acceptedSinceError > 0 ? MIN_BACKOFF.toNanos()
                : Math.min(backoff * 2, MAX_BACKOFF.toNanos());
        acceptedSinceError = 0;
        int before = conns.size();
        cap = Math.max(1, Math.min(cap, before - FD_HEADROOM));
        while (conns.size() > cap) {
            shed(conns.iterator().next(), "accept failed (out of file descriptors?)", DaemonStats.Drop.SHED);
        }
        lastAcceptError = now;
        resumeAt = now + backoff;
        serverKey.interestOps(0);
        log.log(Log.ERR, "ERROR: accept failed: " + e.getMessage() + "; " + (before - conns.size())
                + " unfinished connections shed, at most " + cap + " kept; accepting again in "
                + backoff / 1_000_000 + " ms");
    }

    private void resume(long now) {
        if (resumeAt != 0 && now - resumeAt >= 0) {
            resumeAt = 0;
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        if (backoff != 0 && now - lastAcceptError > QUIET.toNanos()) {
            backoff = 0;
            cap = limits.maxConnections();
            log.log(Log.WARN, "accepting normally again");
        }
    }

    /** Reads what is there; true while the connection stays open waiting for more. */
    private boolean read(Conn conn) {
        SocketChannel c = (SocketChannel) conn.key.channel();
        try {
            int n;
            while ((n = c.read(conn.buf)) > 0) {
                if (!conn.buf.hasRemaining() && !grow(conn)) {
                    return false;
                }
            }
            // Only the new bytes: a peer dripping a long line byte by byte must not cost a
            // rescan of the whole buffer per byte.
            int nl = indexOf(conn.buf, conn.scanned, (byte) '\n');
            conn.scanned = conn.buf.position();
            if (nl >= 0) {
                byte[] line = Arrays.copyOf(conn.buf.array(), nl + 1);
                boolean trailing = conn.buf.position() > nl + 1;
                close(conn);
                if (trailing) {
                    dropped.incrementAndGet();
                    sink.dropped(DaemonStats.Drop.MALFORMED);
                    log.log(Log.ERR, "ERROR: bytes after the request line; request ignored");
                } else {
                    sink.line(line);
                }
                return false;
            }
            if (n < 0) {
                drop(conn, conn.buf.position() == 0 ? null : "request not terminated by a newline",
                        DaemonStats.Drop.MALFORMED);
                return false;
            }
            return true;
        } catch (IOException e) {
            drop(conn, "read failed: " + e.getMessage(), DaemonStats.Drop.MALFORMED);
            return false;
        }
    }

    /** Doubles a full buffer within the budget, shedding older grown connections if need be. */
    private boolean grow(Conn conn) {
        int capacity = conn.buf.capacity();
        if (capacity > UpcallLine.MAX_LINE) {
            drop(conn, "request longer than " + UpcallLine.MAX_LINE + " bytes", DaemonStats.Drop.MALFORMED);
            return false;
        }
        int size = Math.min(capacity * 2, UpcallLine.MAX_LINE + 1);
        long budget = limits.maxBuffered() - (long) limits.maxConnections() * INITIAL_BUFFER;
        while (grown + size - capacity > budget) {
            Conn victim = null;
            for (Conn o : conns) {
                if (o == conn) {
                    break;
                }
                if (o.buf.capacity() > INITIAL_BUFFER) {
                    victim = o;
                    break;
                }
            }
            if (victim == null) {
                drop(conn, "too many unfinished requests buffered", DaemonStats.Drop.SHED);
                return false;
            }
            shed(victim, "too many unfinished requests buffered", DaemonStats.Drop.SHED);
        }
        grown += size - capacity;
        ByteBuffer bigger = ByteBuffer.allocate(size);
        conn.buf.flip();
        conn.buf = bigger.put(conn.buf);
        return true;
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

    private void expire(long now) {
        while (!conns.isEmpty()) {
            Conn oldest = conns.iterator().next();
            if (now - oldest.deadline < 0) {
                return; // the rest are younger
            }
            shed(oldest, "no complete request within " + readTimeout / 1_000_000 + " ms", DaemonStats.Drop.TIMEOUT);
        }
    }

    /**
     * Gives up a connection (it leaves {@link #conns} on every path): a last read first, which
     * may still complete its line.
     */
    private void shed(Conn conn, String why, DaemonStats.Drop kind) {
        if (read(conn)) {
            drop(conn, why, kind);
        }
    }

    private void drop(Conn conn, String why, DaemonStats.Drop kind) {
        // Only the hash field is read from it (RequestHandler.hashOf): a queue of shed lines
        // then costs bytes, not the buffer budget again.
        byte[] partial = Arrays.copyOf(conn.buf.array(), Math.min(conn.buf.position(), RequestHandler.MAX_HASH_CHARS + 2));
        close(conn);
        if (why != null) {
            dropped.incrementAndGet();
            sink.dropped(kind);
            log.log(Log.ERR, "ERROR: failed reading request: " + why);
            sink.shed(partial);
        }
    }

    private void close(Conn conn) {
        if (conns.remove(conn)) {
            grown -= conn.buf.capacity() - INITIAL_BUFFER;
        }
        conn.key.cancel();
        try {
            conn.key.channel().close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
