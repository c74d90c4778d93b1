package lsk.upcall;

import lsk.base.Errno;
import java.time.Duration;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.keyring.Keyring;

/**
 * The last step of a negotiation: storing its outcome in the kernel key. The {@code lgssc} key
 * type refuses an update with EAGAIN until the kernel's {@code request_key()} has returned and
 * bound its context to the key, which can be after this background process got going; so an
 * update is retried on EAGAIN, backing off, and given up after {@link Backoff#giveUpAfter} (the
 * C tool sleeps 2 s between tries, forever). After a failure payload the key is always
 * unlinked, even when that update failed, so that the next request starts afresh.
 */
public final class KeyUpdater {
    /** The key operations used here, as {@link Keyring} has them (a seam for tests). */
    public interface Ops {
        void update(int key, byte[] payload) throws LskException;

        void unlink(int key, int keyring) throws LskException;

        static Ops of(Keyring kc) {
            return new Ops() {
                @Override public void update(int key, byte[] payload) throws LskException {
                    kc.update(key, payload);
                }

                @Override public void unlink(int key, int keyring) throws LskException {
                    kc.unlink(key, keyring);
                }
            };
        }
    }

    /** Time as the retry sees it (a seam for tests). */
    public interface Clock {
        long nanoTime();

        void sleep(Duration d) throws InterruptedException;

        Clock SYSTEM = new Clock() {
            @Override public long nanoTime() {
                return System.nanoTime();
            }

            @Override public void sleep(Duration d) throws InterruptedException {
                Thread.sleep(d.toMillis());
            }
        };
    }

    /**
     * First wait, doubled up to {@code max}, until {@code giveUpAfter} would be passed. The first
     * wait is short: the kernel's request_key() binds the context a few milliseconds after the
     * upcall exits, and the resident service is usually there first.
     */
    public record Backoff(Duration first, Duration max, Duration giveUpAfter) {
        public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(2),
                Duration.ofSeconds(60));
    }

    private final Ops ops;
    private final Backoff backoff;
    private final Clock clock;
    private final Log log;

    public KeyUpdater(Ops ops, Log log) {
        this(ops, Backoff.DEFAULT, Clock.SYSTEM, log);
    }

    KeyUpdater(Ops ops, Backoff backoff, Clock clock, Log log) {
        this.ops = ops;
        this.backoff = backoff;
        this.clock = clock;
        this.log = log;
    }

    /** Updates {@code key} with {@code payload}, retrying while the kernel answers EAGAIN. */
    public void update(int key, byte[] payload) throws LskException {
        String kid = String.format("%08x", key);
        long start = clock.nanoTime();
        Duration wait = backoff.first();
        for (int retries = 0; ; retries++) {
            try {
                ops.update(key, payload);
                if (retries > 0) {
                    log.log(Log.DEBUG, "key " + kid + ": updated after " + retries + " EAGAIN retries");
                }
                return;
            } catch (LskException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
                long elapsed = clock.nanoTime() - start;
                if (elapsed + wait.toNanos() > backoff.giveUpAfter().toNanos()) {
                    log.log(Log.ERR, "key " + kid + ": the kernel still refuses the update (EAGAIN) after "
                            + Duration.ofNanos(elapsed).toSeconds() + " s and " + retries + " retries; giving up");
                    throw e;
                }
                log.log(Log.DEBUG, "key " + kid + ": updating too soon, retrying in " + wait.toMillis() + " ms");
                try {
                    clock.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                wait = wait.multipliedBy(2).compareTo(backoff.max()) > 0 ? backoff.max() : wait.multipliedBy(2);
            }
        }
    }

    /**
     * Stores the failure payload ({@link KeyPayload#failure}) and then, whatever came of that,
     * unlinks the key from {@code keyring}. Whether both worked.
     */
    public boolean fail(int key, int keyring, int rpcError, int gssError) {
        String kid = String.format("%08x", key);
        boolean ok = true;
        try {
            update(key, KeyPayload.failure(rpcError, gssError));
            log.log(Log.INFO, "key " + kid + ": revoked");
        } catch (LskException e) {
            log.log(Log.ERR, "key " + kid + ": failure update: " + e.getMessage());
            ok = false;
        }
        try {
            ops.unlink(key, keyring);
            log.log(Log.INFO, "key " + kid + ": unlinked from " + keyring);
        } catch (LskException e) {
            log.log(Log.ERR, "key " + kid + ": unlink from " + keyring + ": " + e.getMessage());
            ok = false;
        }
        return ok;
    }
}
