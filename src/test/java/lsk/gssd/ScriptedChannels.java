package lsk.gssd;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import lsk.kernel.CacheChannelNative;

/**
 * A 2.15 kernel's cache channels played in Java behind the native binding: the requests the
 * test scripts come out of the init channel one per read, every write is recorded in the order
 * the daemon made it, with the channel it went to. {@link #EOF} as a request ends the init file
 * once (the kernel removing the entry), so the daemon must open it again.
 */
final class ScriptedChannels implements CacheChannelNative {
    static final byte[] EOF = new byte[0];
    static final int INIT = 1;
    static final int CONTEXT = 2;

    record Write(int channel, String text) {
    }

    private final Path init;
    private final LinkedBlockingDeque<byte[]> requests = new LinkedBlockingDeque<>();
    private final List<Write> writes = new ArrayList<>();
    private final List<String> opens = new ArrayList<>();
    private int failOpens;
    private int nextFd = 10;

    ScriptedChannels(Path init) {
        this.init = init;
    }

    void request(byte[] line) {
        requests.add(line);
    }

    /** The next {@code n} opens fail with ENOENT (the module not loaded yet). */
    synchronized void failOpens(int n) {
        failOpens = n;
    }

    synchronized List<Write> writes() {
        return List.copyOf(writes);
    }

    synchronized List<String> opens() {
        return List.copyOf(opens);
    }

    /** Waits until at least {@code n} writes were made. */
    List<Write> awaitWrites(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (this) {
            while (writes.size() < n && System.nanoTime() < end) {
                wait(50);
            }
            return List.copyOf(writes);
        }
    }

    private int channelOf(int fd) {
        return fd % 2 == 0 ? INIT : CONTEXT;
    }

    @Override
    public synchronized long lsk_cc_open(String path, int flags) {
        opens.add(path + " " + flags);
        if (failOpens > 0) {
            failOpens--;
            return -2;
        }
        boolean isInit = Path.of(path).equals(init);
        int fd = nextFd += 2;
        return isInit ? fd : fd + 1;
    }

    @Override
    public long lsk_cc_poll(int fd, int timeoutMs) {
        try {
            byte[] next = requests.pollFirst(Math.min(timeoutMs, 50), TimeUnit.MILLISECONDS);
            if (next == null) {
                return 0;
            }
            requests.addFirst(next);
            return POLLIN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -4;
        }
    }

    @Override
    public long lsk_cc_read(int fd, byte[] buf, long cap) {
        byte[] r = requests.pollFirst();
        if (r == null || r == EOF) {
            return 0;
        }
        if (r.length > cap) {
            return cap + 1;
        }
        System.arraycopy(r, 0, buf, 0, r.length);
        return r.length;
    }

    @Override
    public synchronized long lsk_cc_write(int fd, byte[] buf, long len) {
        writes.add(new Write(channelOf(fd), new String(buf, 0, (int) len, StandardCharsets.ISO_8859_1)));
        notifyAll();
        return len;
    }

    @Override
    public long lsk_cc_close(int fd) {
        return 0;
    }

    @Override
    public long lsk_cc_listen(String path) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long lsk_cc_accept(int fd) {
        throw new UnsupportedOperationException();
    }
}
