package lsk.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lsk.cmd.Io;
import lsk.handshake.Entropy;
import lsk.handshake.Initiator;
import lsk.handshake.RetryException;
import lsk.kernel.ContextBlob;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;

/**
 * {@code lsk bench --upcall-proxy KEY REPLY OUT}: the client-side work of one upcall in a fresh
 * JVM, for timing process start-up: read the client key, build the init token (fresh prime
 * cache, as the upcall process has), check the server's reply, derive the context and write it
 * out (where the upcall would update the kernel key). Stands in for the upcall until it can
 * run end to end on the simulated kernel; what it leaves out (keyctl calls, the init_channel
 * write) are system calls of microseconds.
 */
final class UpcallProxy {
    private UpcallProxy() {
    }

    static int run(List<String> args, Io io) {
        if (args.size() != 3) {
            io.err().println("usage: lsk bench " + Bench.UPCALL_PROXY + " KEYFILE REPLYFILE OUTFILE");
            return 1;
        }
        try {
            byte[] file = Files.readAllBytes(io.resolve(args.get(0)));
            byte[] img = KeyFileCodec.isAscii(file) ? KeyFileCodec.asciiPayload(file) : file;
            KeyConfig key = KeyFileCodec.decodeBinary(img);
            byte[] reply = Files.readAllBytes(io.resolve(args.get(1)));
            Initiator ini = Initiator.start(key, Bench.TARGET, Bench.FLAGS, Bench.CLIENT_NID, Entropy.secure());
            byte[] ctx;
            try {
                ctx = ContextBlob.forKernel(ini.finish(reply));
            } catch (RetryException e) {
                ctx = new byte[0]; // S short (1 in ~256): the work was done all the same
            }
            Files.write(io.resolve(args.get(2)), ctx);
            return 0;
        } catch (Exception e) {
            io.err().println("upcall proxy failed: " + e);
            return 1;
        }
    }

    /**
     * {@code lsk bench --cds-train}: the work whose classes the AppCDS archive of the build
     * ({@code target/lsk.jsa}) holds: an upcall's client side (through {@link #run}), the
     * responder that makes its reply, an lgss_sk key write, and the upcall's own classes.
     */
    static int train(Io io) {
        try {
            Path dir = Files.createTempDirectory("lsk-cds-train");
            try {
                byte[] shared = new byte[32];
                new java.security.SecureRandom().nextBytes(shared);
                KeyConfig client = KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname("tank").sharedKey(shared)
                        .prime(lsk.crypto.Ffdhe.FFDHE2048.primeBytes()).build();
                KeyConfig server = client.toBuilder().type(KeyConfig.TYPE_SERVER).build();
                Initiator ini = Initiator.start(client, Bench.TARGET, Bench.FLAGS, Bench.CLIENT_NID, Entropy.secure());
                byte[] reply = new lsk.handshake.Responder(d -> List.of(server), lsk.handshake.NodemapResolver.NONE,
                        Entropy.secure()).accept(ini.token(), Bench.CLIENT_NID, "default").responseToken();
                writeInputs(dir, client, reply);
                Io here = new Io(io.in(), io.out(), io.err(), dir, io.env());
                int rc = run(List.of("client.key", "reply", "out"), here);
                java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
                rc |= lsk.Main.run(List.of("lgss_sk", "-t", "client", "-f", "tank", "-w", "k"),
                        new Io(io.in(), quiet, quiet, dir, io.env()));
                // What the upcall also initialises: the JVM arguments it hands the detached
                // negotiation, JNA and the native shim.
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
                try {
                    lsk.keyring.Keyring.open();
                } catch (Throwable e) {
                    // no keyring access here: the classes are loaded all the same
                }
                for (String c : List.of("lsk.upcall.LgssKeyring", "lsk.upcall.Keyctl", "lsk.upcall.UpcallArgs",
                        "lsk.upcall.CalloutInfo", "lsk.kernel.KernelChannel", "lsk.kernel.ReplyBuffer",
                        "lsk.kernel.ParamPaths", "lsk.cmd.Log", "com.sun.jna.Native", "com.sun.jna.Pointer",
                        "com.sun.jna.Memory", "com.sun.jna.Library")) {
                    try {
                        Class.forName(c, false, UpcallProxy.class.getClassLoader());
                    } catch (ClassNotFoundException e) {
                        // renamed or gone: the archive just lacks it
                    }
                }
                return rc;
            } finally {
                Bench.deleteTree(dir);
            }
        } catch (Exception e) {
            io.err().println("cds-train failed: " + e);
            return 1;
        }
    }

    static void writeInputs(Path dir, KeyConfig key, byte[] reply) throws java.io.IOException {
        Files.write(dir.resolve("client.key"), KeyFileCodec.encodeBinary(key));
        Files.write(dir.resolve("reply"), reply);
    }
}
