package lsk.upcalld;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;
import lsk.keyring.Keyring;
import lsk.unixsock.DaemonNative;
import lsk.unixsock.Peers;
import lsk.unixsock.SocketFile;

/**
 * A running lgss_keyringd: its socket, one thread that joins the service keyring
 * ({@link ServiceKeyring}) and then accepts (so that every thread it starts possesses what is
 * linked there), a bounded pool for the exchanges ({@link Exchange}; beyond it connections are
 * shed) and a bounded pool of negotiations, which block on the kernel's init channel. With
 * nothing connected and nothing negotiating for the idle timeout, it removes its socket and
 * ends. Made only started ({@link #start}); a shutdown hook may close it from any thread.
 */
public final class Upcalld implements AutoCloseable {
    /**
     * @param idleTimeout zero: never idle out
     * @param deadline for each message read or written
     */
    public record Options(Path socket, Duration idleTimeout, Duration deadline, int maxConnections,
                          int negotiators) {
        public static Options of(Path socket, Duration idleTimeout) {
            return new Options(socket, idleTimeout, Duration.ofSeconds(5), 64, 16);
        }
    }

    private static final int BACKLOG = 512;
    private static final int MAX_QUEUED_NEGOTIATIONS = 4096;

    private final Options options;
    private final LustreKernel kernel;
    private final Keyring keyring;
    private final int euid;
    private final SocketFile socket;
    private final Peers peers;
    private final Log log;
    private final RefusalLog refusals;
    private final ExecutorService exchanges;
    private final ExecutorService negotiations;
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong lastBusy = new AtomicLong(System.nanoTime());
    private final AtomicLong negotiated = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Integer> link = new CompletableFuture<>();
    private final CompletableFuture<Boolean> ended = new CompletableFuture<>();
    private final Thread thread;

    private Upcalld(Options options, SocketFile socket, LustreKernel kernel, Keyring keyring, int euid, Peers peers,
                    Log log) {
        this.options = options;
        this.kernel = kernel;
        this.keyring = keyring;
        this.euid = euid;
        this.socket = socket;
        this.peers = peers;
        this.log = log;
        this.refusals = new RefusalLog(log, Duration.ofMinutes(1));
        this.exchanges = new ThreadPoolExecutor(0, options.maxConnections(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> daemon(r, "lgss_keyringd-conn"), new ThreadPoolExecutor.AbortPolicy());
        this.negotiations = new ThreadPoolExecutor(options.negotiators(), options.negotiators(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED_NEGOTIATIONS), r -> daemon(r, "lgss_keyringd-negotiate"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        ((ThreadPoolExecutor) negotiations).allowCoreThreadTimeOut(true);
        this.thread = new Thread(null, this::run, "lgss_keyringd", 0);
        thread.setDaemon(true);
    }

    /** Binds the socket (never replacing a live one) and serves. */
    public static Upcalld start(Options o, LustreKernel kernel, Keyring kc, Log log) throws LskException {
        DaemonNative sys = DaemonNative.load();
        return serve(o, SocketFile.bind(o.socket(), BACKLOG, sys, log), kernel, kc, log, sys);
    }

    /** Serves a socket systemd passed; it stays when the service ends. */
    public static Upcalld start(Options o, ServerSocketChannel inherited, LustreKernel kernel, Keyring kc, Log log)
            throws LskException {
        return serve(o, SocketFile.inherited(inherited, log), kernel, kc, log, DaemonNative.load());
    }

    private static Upcalld serve(Options o, SocketFile socket, LustreKernel kernel, Keyring kc, Log log,
                                 DaemonNative sys) throws LskException {
        Upcalld d;
        try {
            d = new Upcalld(o, socket, kernel, kc, (int) sys.lsk_geteuid(), Peers.rootAnd(sys.lsk_geteuid()), log);
        } catch (LskException | RuntimeException e) {
            socket.close();
            throw e;
        }
        d.thread.start();
        try {
            d.link.get();
        } catch (ExecutionException e) {
            d.close();
            throw e.getCause() instanceof LskException le ? le
                    : new LskException("cannot start: " + e.getCause(), Errno.EINVAL, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d.close();
            throw new LskException("interrupted while starting", Errno.EINVAL);
        }
        log.log(Log.INFO, "listening on " + socket.path() + ", service keyring " + d.link.join());
        return d;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(null, r, name, 0);
        t.setDaemon(true);
        return t;
    }

    /** The service thread: the keyring first, then the accept loop. */
    private void run() {
        UpcallHandler h;
        try {
            int ring = ServiceKeyring.join(keyring, euid);
            h = new UpcallHandler(kernel, keyring, ring, euid, log);
            link.complete(ring);
        } catch (LskException | RuntimeException e) {
            link.completeExceptionally(e);
            ended.complete(false);
            return;
        }
        boolean idle = false;
        try (Selector sel = Selector.open()) {
            ServerSocketChannel server = socket.channel();
            server.configureBlocking(false);
            server.register(sel, SelectionKey.OP_ACCEPT);
            while (!closed.get()) {
                sel.select(1000);
                sel.selectedKeys().clear();
                boolean any = acceptAll(server, h);
                if (!any && busy.get() == 0 && !socket.stillReachable()) {
                    // Removed or replaced (a test rig's cleanup, a newer instance): nobody can
                    // connect any more, so holding memory until the idle timeout serves no one.
                    log.log(Log.INFO, socket.path() + " was removed or replaced: exiting");
                    break;
                }
                if (!any && idleFor(options.idleTimeout())) {
                    idle = true;
                    log.log(Log.INFO, "idle for " + options.idleTimeout().toSeconds() + " s: exiting");
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed.get()) {
                log.log(Log.ERR, "accepting connections failed: " + e);
            }
        } finally {
            close();
            ended.complete(idle);
        }
    }

    private boolean acceptAll(ServerSocketChannel server, UpcallHandler h) throws IOException {
        boolean any = false;
        SocketChannel c;
        while ((c = server.accept()) != null) {
            any = true;
            accept(c, h);
        }
        return any;
    }

    private void accept(SocketChannel c, UpcallHandler h) {
        Optional<String> who = peers.refused(c);
        if (who.isPresent()) {
            refusals.refused(who.get()); // logged before the peer sees its connection end
            closeQuietly(c);
            return;
        }
        enter();
        try {
            exchanges.execute(new Exchange(c, h, options.deadline(), log, this::negotiate, this::leave));
        } catch (RejectedExecutionException e) {
            closeQuietly(c);
            leave();
            log.log(Log.WARN, "warning: " + options.maxConnections() + " upcalls connected: shed one");
        }
    }

    /** Runs after the upcall's OK: counted busy until the key is updated and unlinked. */
    private void negotiate(Runnable negotiation) {
        enter();
        try {
            negotiations.execute(() -> {
                try {
                    negotiation.run();
                    negotiated.incrementAndGet();
                } finally {
                    leave();
                }
            });
        } catch (RejectedExecutionException e) { // closed meanwhile
            leave();
        }
    }

    private void enter() {
        busy.incrementAndGet();
        lastBusy.set(System.nanoTime());
    }

    private void leave() {
        lastBusy.set(System.nanoTime());
        busy.decrementAndGet();
    }

    private boolean idleFor(Duration timeout) {
        return !timeout.isZero() && busy.get() == 0 && System.nanoTime() - lastBusy.get() >= timeout.toNanos();
    }

    /** The service keyring's serial. */
    public int link() {
        return link.join();
    }

    public Path socketPath() {
        return socket.path();
    }

    /** Negotiations finished (either way). */
    public long negotiated() {
        return negotiated.get();
    }

    /** Connections refused by SO_PEERCRED. */
    public long refusedPeers() {
        return refusals.count();
    }

    /** Blocks until the service ends; true when it ended idle, false when closed or failed. */
    public boolean join() throws InterruptedException {
        try {
            return ended.get();
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** Stops accepting, removes the socket if it is still ours, lets negotiations under way finish. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        socket.close();
        exchanges.shutdown();
        negotiations.shutdown();
        try {
            negotiations.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // gone
        }
    }
}
