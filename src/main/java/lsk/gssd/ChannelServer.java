package lsk.gssd;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import lsk.base.Errno;
import lsk.cmd.Log;
import lsk.kernel.CacheChannelLines;
import lsk.kernel.CacheChannelNative;
import lsk.kernel.UpcallLine;
import lsk.sk.GssException;

/**
 * The request loop of a Lustre 2.15.x server (svcgssd_main_loop.c, index id 3421472200): keeps
 * the init channel open (trying again every 0.5 s while it cannot be opened), polls it, reads one
 * request per read, and hands each to the workers, which parse it and run the same
 * {@link RequestHandler} as the socket backend. A failed poll, end of file (procfs signals a
 * removed entry so) or a read error closes the channel and opens it again. A request longer than
 * {@link CacheChannelLines#MAX_REQUEST} is dropped unparsed and counted; parsing, answering and
 * logging are the handler's. Anything else that ends this thread is its {@link #failure()}.
 */
final class ChannelServer implements Runnable {
    static final int POLL_MS = 500;
    static final int RETRY_MS = 500;
    private static final int POLLERR_HUP_NVAL = 0x8 | 0x10 | 0x20;

    private final CacheChannelNative cc;
    private final ChannelFile init;
    private final ChannelFile context;
    private final RequestHandler handler;
    private final ChannelAnswers answers;
    private final Executor workers;
    private final Log log;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closing;
    /** Reads in a row that found nothing (reader thread only). */
    private int emptyReads;
    private volatile Throwable failure;

    ChannelServer(CacheChannelNative cc, ChannelFile init, ChannelFile context, RequestHandler handler,
                  ChannelAnswers answers, Executor workers, Log log) {
        this.cc = cc;
        this.init = init;
        this.context = context;
        this.handler = handler;
        this.answers = answers;
        this.workers = workers;
        this.log = log;
    }

    @Override
    public void run() {
        byte[] buf = new byte[CacheChannelLines.MAX_REQUEST];
        try {
            while (!closing) {
                if (!init.open()) {
                    Thread.sleep(RETRY_MS);
                    continue;
                }
                int fd = init.fd();
                long rev = cc.lsk_cc_poll(fd, POLL_MS);
                if (rev < 0) {
                    log.log(Log.ERR, "error return from poll: errno " + -rev);
                    init.reset();
                } else if ((rev & CacheChannelNative.POLLIN) != 0) {
                    readOne(fd, buf);
                } else if ((rev & POLLERR_HUP_NVAL) != 0) {
                    log.log(Log.WARN, init.path() + " went away (poll 0x" + Long.toHexString(rev) + "): reopening");
                    init.reset();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            log.log(Log.ERR, "ERROR: the channel reader died: " + t);
        } finally {
            init.close();
            context.close();
        }
    }

    private void readOne(int fd, byte[] buf) {
        long n = cc.lsk_cc_read(fd, buf, buf.length);
        if ((n == 0 || n == -Errno.EAGAIN) && ++emptyReads < 2) {
            // The request polled for was taken or expired meanwhile. Reopening now, as C does,
            // would have the cache hand this reader every pending request again, and those the
            // workers are still answering would be negotiated twice. A channel that is gone
            // (module unloaded) reads empty again at once and is reopened then.
            log.log(Log.DEBUG, "no request to read from " + init.path() + " (taken or expired meanwhile)");
            return;
        }
        if (n <= 0) {
            emptyReads = 0;
            log.log(Log.WARN, "WARNING: failed reading request from " + init.path()
                    + (n == 0 ? ": end of file" : ": errno " + -n) + "; reopening");
            init.reset();
            return;
        }
        emptyReads = 0;
        if (n > buf.length) {
            dropped.incrementAndGet();
            handler.timed(System.nanoTime(), () -> handler.malformed(
                    new UpcallLine.Malformed("longer than " + CacheChannelLines.MAX_REQUEST + " bytes"), 0, () -> { }));
            return;
        }
        byte[] line = Arrays.copyOf(buf, (int) n);
        Arrays.fill(buf, 0, (int) n, (byte) 0);
        long received = System.nanoTime(); // latency includes the queue
        workers.execute(() -> handler.timed(received, () -> dispatch(line)));
    }

    /** Parses one request and runs the handler; a malformed one is answered if it can be. */
    void dispatch(byte[] line) {
        CacheChannelLines.Request req;
        try {
            req = CacheChannelLines.Request.parse(line, line.length);
        } catch (UpcallLine.Malformed e) {
            handler.malformed(e, GssException.GSS_S_FAILURE, () -> answers.errorFor(line));
            return;
        }
        handler.handle(req.toUpcallLine());
    }

    Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Requests dropped unparsed (too long). */
    long dropped() {
        return dropped.get();
    }

    /** Ends the loop within {@link #POLL_MS}; the loop closes both channels. */
    void close() {
        closing = true;
    }
}
