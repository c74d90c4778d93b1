package lsk.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lsk.cli.Io;
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

    static void writeInputs(Path dir, KeyConfig key, byte[] reply) throws java.io.IOException {
        Files.write(dir.resolve("client.key"), KeyFileCodec.encodeBinary(key));
        Files.write(dir.resolve("reply"), reply);
    }
}
