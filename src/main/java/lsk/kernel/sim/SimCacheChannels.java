package lsk.kernel.sim;

import lsk.base.ByteString;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.kernel.UpcallLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The server side of a simulated Lustre 2.15.x kernel: the sunrpc cache channels
 * {@code proc/net/rpc/auth.sptlrpc.init/channel} and {@code .../auth.sptlrpc.context/channel}
 * under the parameter root, as root-only SOCK_SEQPACKET sockets where one message is one
 * read() or write() of the real file ({@link SimSeqpacket}).
 *
 * <p>As the sunrpc cache does ({@code net/sunrpc/cache.c}): each SEC_CTX_INIT becomes one
 * request line ({@link SimCacheLines#request}) queued for every reader of the init channel,
 * including one that connects while the request is still pending; with no reader, and none
 * closed within the last 30 s ({@code cache_listeners_exist}), the upcall fails and the request
 * is dropped ({@code cache_check} -ENOENT). Each message written is one downcall, parsed by
 * {@code rsi_parse}/{@code rsc_parse} ({@link SimCacheLines}); a refused one is logged with the
 * errno the real write() returns (a socket cannot carry it back).
 */
final class SimCacheChannels implements AutoCloseable {
    static final String INIT_CHANNEL = "proc/net/rpc/auth.sptlrpc.init/channel";
    static final String CONTEXT_CHANNEL = "proc/net/rpc/auth.sptlrpc.context/channel";
    /** cache_listeners_exist: a reader that closed less than 30 s ago still counts. */
    static final Duration LISTENER_GRACE = Duration.ofSeconds(30);

    /** Where the answers go: the rsi (hash = the request's), a dropped request's hash, a context. */
    interface Sink {
        void answer(Downcalls.Rsi rsi);

        void dropped(long hash, String why);

        void context(ByteString handle, Downcalls.Rsc rscOrNullForNegative);
    }

    /** The sink a {@link SimKernel} gives: answers complete its futures by hash; contexts go in by handle hex. */
    static Sink sink(Map<Long, CompletableFuture<Downcalls.Rsi>> waiting, Map<String, Downcalls.Rsc> contexts) {
        return new Sink() {
            @Override
            public void answer(Downcalls.Rsi rsi) {
                Optional.ofNullable(waiting.get(rsi.hash())).ifPresent(f -> f.complete(rsi));
            }

            @Override
            public void dropped(long hash, String why) {
                Optional.ofNullable(waiting.get(hash)).ifPresent(f -> f.completeExceptionally(
                        new LskException(why, Errno.ETIMEDOUT)));
            }

            @Override
            public void context(ByteString handle, Downcalls.Rsc rsc) {
                String h = HexFormat.of().formatHex(handle.toByteArray());
                if (rsc == null) {
                    contexts.remove(h); // a negative entry: no context under this handle
                } else {
                    contexts.put(h, rsc);
                }
            }
        };
    }

    private record Request(long hash, byte[] line, long deadline) {
    }

    private final Path root;
    private final Sink sink;
    private final Duration timeout;
    private final Consumer<String> log;
    private final Map<SimCacheLines.Key, Request> pending = new ConcurrentHashMap<>();
    private final Set<Integer> readers = ConcurrentHashMap.newKeySet();
    private final Set<Integer> connections = ConcurrentHashMap.newKeySet();
    private final Set<Integer> contextConnections = ConcurrentHashMap.newKeySet();
    private final Object queueLock = new Object();
    private final Object contextLock = new Object();
    private volatile boolean closed;
    private volatile long lastClose; // nanoTime of the last reader's close; 0: never
    private int initFd = -1;
    private int contextFd = -1;

    private final ExecutorService workers;

    private SimCacheChannels(Path root, Sink sink, Duration timeout, ExecutorService workers, Consumer<String> log) {
        this.root = root;
        this.workers = workers;
        this.sink = sink;
        this.timeout = timeout;
        this.log = log;
    }

    /** Whether {@code k} serves SEC_CTX_INIT through these channels (2.15.x). */
    static boolean applies(LustreKernel k) {
        return k.abi().server() == KernelAbi.Server.CACHE_CHANNELS;
    }

    /** Binds both channel files (dirs 0755, sockets 0600) and serves them on {@code workers}. */
    static SimCacheChannels open(ParamPaths paths, Sink sink, Duration timeout, ExecutorService workers,
                                 Consumer<String> log) throws IOException, LskException {
        SimCacheChannels c = new SimCacheChannels(paths.root(), sink, timeout, workers, log);
        try {
            c.initFd = bind(paths, INIT_CHANNEL);
            c.contextFd = bind(paths, CONTEXT_CHANNEL);
        } catch (IOException | LskException e) {
            c.close();
            throw e;
        }
        workers.execute(c::poll);
        return c;
    }

    private static int bind(ParamPaths paths, String channel) throws IOException, LskException {
        Path p = paths.root().resolve(channel);
        Files.createDirectories(p.getParent(), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        paths.checkTrusted(p); // root's tree only: nobody else can swap the socket for a link
        Files.deleteIfExists(p);
        int fd = SimSeqpacket.listen(p, true);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return fd;
    }

    /** The request line for one SEC_CTX_INIT, to every reader; fails as the kernel's upcall would. */
    void send(UpcallLine line) throws LskException {
        String text = SimCacheLines.request((int) line.lustreSvc(), line.nid(), line.handleSeq(), line.nodemap(),
                line.inHandle().toByteArray(), line.inToken().toByteArray());
        if (text.isEmpty()) {
            throw new LskException("rsi request does not fit a page: never queued (-EAGAIN), request dropped",
                    Errno.ETIMEDOUT);
        }
        byte[] msg = text.getBytes(StandardCharsets.US_ASCII);
        long now = System.nanoTime();
        synchronized (queueLock) {
            acceptReaders(); // an open() that came first has registered its reader
            pending.values().removeIf(r -> now - r.deadline() > 0);
            if (readers.isEmpty() && (lastClose == 0 || now - lastClose > LISTENER_GRACE.toNanos())) {
                throw new LskException("no lsvcgssd has " + INIT_CHANNEL + " open: request dropped"
                        + " (cache_check -ENOENT)", Errno.ETIMEDOUT);
            }
            pending.put(new SimCacheLines.Key(line.inHandle(), line.inToken()),
                    new Request(line.hash(), msg, now + 2 * timeout.toNanos()));
            for (int fd : readers) {
                deliver(fd, msg);
            }
        }
    }

    private void deliver(int fd, byte[] msg) {
        try {
            SimSeqpacket.send(fd, msg);
        } catch (IOException e) {
            log.accept("simkernel: " + INIT_CHANNEL + ": reader gone: " + e.getMessage());
        }
    }

    private static int accept(int listener, boolean nonblocking) throws IOException {
        return listener < 0 ? -1 : SimSeqpacket.acceptNow(listener, nonblocking);
    }

    /** Takes every queued init-channel connection as a reader; each sees every request still pending. */
    private void acceptReaders() {
        synchronized (queueLock) {
            try {
                for (int fd = accept(initFd, false); fd >= 0; fd = accept(initFd, false)) {
                    int reader = fd;
                    connections.add(reader);
                    readers.add(reader);
                    pending.values().forEach(r -> deliver(reader, r.line()));
                    workers.execute(() -> serve(reader));
                }
            } catch (IOException e) {
                log.accept("simkernel: " + INIT_CHANNEL + ": " + e.getMessage());
            }
        }
    }

    private void serve(int fd) {
        try {
            while (true) {
                byte[] msg = SimSeqpacket.read(fd, SimCacheLines.MAX_WRITE + 1);
                if (msg == null) {
                    return;
                }
                try {
                    onRsi(msg);
                } finally {
                    Arrays.fill(msg, (byte) 0);
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            synchronized (queueLock) {
                if (readers.remove(fd)) {
                    lastClose = System.nanoTime();
                }
            }
            connections.remove(fd);
            SimSeqpacket.close(fd);
        }
    }

    /**
     * Connections are accepted and context writes taken by polling, never by a blocked accept:
     * a request first takes the readers already connected ({@link #acceptReaders}) and an rsi
     * first takes every context write already sent ({@link #takeContexts}), as the real open()
     * registers its reader and the real write() to the context channel has installed the
     * context before they return.
     */
    private void poll() {
        try {
            while (!closed) {
                acceptReaders();
                takeContexts();
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Accepts every queued context connection and parses every queued message, without blocking. */
    private void takeContexts() {
        synchronized (contextLock) {
            if (closed) {
                return;
            }
            try {
                for (int fd = accept(contextFd, true); fd >= 0; fd = accept(contextFd, true)) {
                    contextConnections.add(fd);
                }
            } catch (IOException e) {
                log.accept("simkernel: " + CONTEXT_CHANNEL + ": " + e.getMessage());
            }
            for (int fd : contextConnections) {
                takeContexts(fd);
            }
        }
    }

    /** Parses what {@code fd} has queued; closes it at EOF. */
    private void takeContexts(int fd) {
        try {
            while (true) {
                byte[] m = SimSeqpacket.receiveNow(fd, SimCacheLines.MAX_WRITE + 1);
                if (m == SimSeqpacket.NOTHING) {
                    return;
                }
                if (m == null) {
                    break;
                }
                try {
                    onRsc(m);
                } finally {
                    Arrays.fill(m, (byte) 0);
                }
            }
        } catch (IOException e) {
            // gone
        }
        contextConnections.remove(fd);
        SimSeqpacket.close(fd);
    }

    private void onRsi(byte[] msg) {
        takeContexts();
        SimCacheLines.Result<SimCacheLines.Rsi> r = SimCacheLines.rsi(msg, pending::containsKey);
        report(INIT_CHANNEL, r, msg.length);
        if (r.woken() != null) {
            Request q = pending.remove(r.woken());
            if (q != null) {
                sink.dropped(q.hash(), "rsi line " + errno(r) + ": " + r.detail() + "; the woken request is dropped");
            }
        }
        SimCacheLines.Rsi rsi = r.value();
        if (rsi != null) {
            Request q = pending.remove(new SimCacheLines.Key(rsi.inHandle(), rsi.inToken()));
            if (q != null) {
                sink.answer(new Downcalls.Rsi(q.hash(), 0, rsi.major(), rsi.minor(), rsi.inHandle(), rsi.inToken(),
                        rsi.outHandle(), rsi.outToken()));
            }
        }
    }

    private void onRsc(byte[] msg) {
        SimCacheLines.Result<SimCacheLines.Rsc> r = SimCacheLines.rsc(msg);
        report(CONTEXT_CHANNEL, r, msg.length);
        if (r.value() != null) {
            sink.context(r.value().handle(), r.value().context());
        }
    }

    private void report(String channel, SimCacheLines.Result<?> r, int count) {
        if (r.errno() != 0 || r.value() == null) {
            log.accept("simkernel: " + channel + " write returns " + r.writeResult(count) + " (" + errno(r) + "): "
                    + r.detail());
        }
    }

    private static String errno(SimCacheLines.Result<?> r) {
        return switch (r.errno()) {
            case 0 -> "accepted, no effect";
            case Errno.EINVAL -> "EINVAL";
            case Errno.ENOMEM -> "ENOMEM";
            case Errno.ERANGE -> "ERANGE";
            case Errno.EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "errno " + r.errno();
        };
    }

    @Override
    public void close() {
        closed = true;
        synchronized (queueLock) {
            SimSeqpacket.close(initFd);
            initFd = -1;
        }
        synchronized (contextLock) {
            SimSeqpacket.close(contextFd);
            contextFd = -1;
            contextConnections.forEach(SimSeqpacket::close);
            contextConnections.clear();
        }
        connections.forEach(SimSeqpacket::shutdown);
        for (String ch : new String[] {INIT_CHANNEL, CONTEXT_CHANNEL}) {
            try {
                Files.deleteIfExists(root.resolve(ch));
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
