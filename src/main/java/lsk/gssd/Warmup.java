package lsk.gssd;

import java.security.SecureRandom;
import java.util.List;
import lsk.crypto.Ffdhe;
import lsk.handshake.Entropy;
import lsk.sk.Flags;
import lsk.handshake.Initiator;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.handshake.RetryException;
import lsk.keyfile.KeyConfig;
import lsk.cmd.Log;

/**
 * Warms the JIT up when the daemon starts: in-memory handshakes with a throwaway key on a
 * background thread. Measured: in a fresh JVM the responder takes 25-130 ms per request for
 * its first 20-30 requests (PBKDF2 and modPow not yet compiled by C2) against about 3 ms warm;
 * these 60 handshakes take 2-2.6 s at start-up, after which requests take 3 ms (a server
 * usually starts well before its clients mount). It stops at the first real request, which
 * then has the cores to itself. Nothing of it reaches the kernel or the keyring.
 */
final class Warmup {
    /** Handshakes run: enough for C2 to have compiled the hot loops. */
    static final int HANDSHAKES = 60;

    private Warmup() {
    }

    /**
     * @param served true once the daemon has taken a real request: warm-up then stops, so it
     *               never competes with real requests for the cores (they warm the JIT themselves)
     */
    static Thread start(Log log, java.util.function.BooleanSupplier served) {
        Thread t = new Thread(() -> run(log, served), "svcgssd-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return t;
    }

    private static void run(Log log, java.util.function.BooleanSupplier served) {
        byte[] shared = new byte[32];
        new SecureRandom().nextBytes(shared);
        KeyConfig client = KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname("warmup").sharedKey(shared)
                .prime(Ffdhe.FFDHE2048.primeBytes()).build();
        KeyConfig server = client.toBuilder().type(KeyConfig.TYPE_SERVER).build();
        Responder responder = new Responder(d -> List.of(server), NodemapResolver.NONE, Entropy.secure());
        long t0 = System.nanoTime();
        try {
            int i = 0;
            for (; i < HANDSHAKES && !served.getAsBoolean(); i++) {
                int flags = Flags.ROOT | (i % 4 == 3 ? Flags.SVC_PRIVACY : Flags.SVC_INTEGRITY);
                Initiator ini = Initiator.start(client, "warmup-MDT0000_UUID", flags, 1, Entropy.secure());
                try {
                    ini.finish(responder.accept(ini.token(), 1, "default").responseToken());
                } catch (RetryException e) {
                    // short S: the work was done all the same
                }
            }
            log.log(Log.DEBUG, "JIT warm-up: " + i + " handshakes in " + (System.nanoTime() - t0) / 1_000_000
                    + " ms");
        } catch (Exception e) {
            log.log(Log.DEBUG, "JIT warm-up stopped: " + e.getClass().getSimpleName());
        } finally {
            java.util.Arrays.fill(shared, (byte) 0);
        }
    }
}
