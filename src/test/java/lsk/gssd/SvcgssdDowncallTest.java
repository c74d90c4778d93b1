package lsk.gssd;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.base.LskException;
import lsk.crypto.Ffdhe;
import lsk.handshake.Entropy;
import lsk.sk.Flags;
import lsk.sk.GssException;
import lsk.handshake.Initiator;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.keyfile.KeyConfig;
import lsk.kernel.ChannelNative;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreKernel;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import lsk.kernel.UpcallLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The daemon writes its downcalls in the layout of the running version, and answers with an
 * rsi error when the rsc write fails. The parameter files are plain files in a temp tree (the
 * daemon opens and writes them as it would the kernel's); the rsc bytes are read here at the
 * offsets of each layout, written out by hand.
 */
class SvcgssdDowncallTest {
    @TempDir
    Path tmp;

    final List<String> logs = new CopyOnWriteArrayList<>();
    final byte[] shared = random(32);
    final KeyConfig client = KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname("tank").sharedKey(shared)
            .prime(Ffdhe.FFDHE2048.primeBytes()).build();
    final KeyConfig server = client.toBuilder().type(KeyConfig.TYPE_SERVER).build();

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    record Tree(RequestHandler daemon, Path rsi, Path rsc) {
    }

    Tree tree(String version) throws Exception {
        LustreKernel k = LustreKernel.of(new ParamPaths(tmp.resolve("root")), LustreVersion.parse(version, "test"));
        Path rsi = k.paths().simulated(k.abi(), ParamPaths.RSI_DOWNCALL);
        Path rsc = k.paths().simulated(k.abi(), ParamPaths.RSC_DOWNCALL);
        Files.createDirectories(rsi.getParent());
        Files.createFile(rsi);
        Files.createFile(rsc);
        Responder responder = new Responder(d -> List.of(server), NodemapResolver.NONE, Entropy.secure());
        RequestHandler d = new RequestHandler(k, true, responder, ChannelNative.load(), (lvl, m) -> logs.add(m));
        return new Tree(d, rsi, rsc);
    }

    byte[] request(long hash) throws Exception {
        Initiator ini = Initiator.start(client, "tank-MDT0000_UUID", Flags.ROOT | Flags.SVC_INTEGRITY, 0x20000c0a80132L,
                Entropy.secure());
        return new UpcallLine(hash, (2L << 16) | 1, 0x20000c0a80132L, 0x1122334455667788L, "default", new byte[0],
                ini.token()).format();
    }

    /** hdr, offset of len, nodemap expected at 32 (null: no field) per version. */
    @ParameterizedTest
    @ValueSource(strings = {"2.16.1", "2.17.0", "2.17.52", "2.17.54"})
    void downcallsInTheRunningVersionsLayout(String version) throws Exception {
        Tree t = tree(version);
        {
            RequestHandler d = t.daemon();
            d.handle(request(77));
            assertEquals(1, d.completed(), logs.toString());
        }
        KernelAbi abi = KernelAbi.of(LustreVersion.parse(version, "test"));
        int header = switch (version) {
            case "2.16.1", "2.17.0" -> 48;
            default -> 72;
        };
        int lenAt = header == 48 ? 40 : 64;
        assertEquals(header, abi.rscHeader.size);
        byte[] rsc = Files.readAllBytes(t.rsc());
        ByteBuffer b = ByteBuffer.wrap(rsc).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x6d6dd62b, b.getInt(0));
        assertEquals(0x2 /* root */, b.getInt(8));
        assertEquals("sk", new String(rsc, 24, 2, StandardCharsets.US_ASCII));
        assertEquals(0, rsc[26]);
        assertEquals(0L, b.getLong(lenAt - 8), "offset field");
        assertEquals(rsc.length - header, b.getInt(lenAt));
        assertEquals(8, b.getInt(header), "handle length");
        assertEquals(0x1122334455667788L, b.getLong(header + 4));
        if (header == 72) {
            byte[] name = Arrays.copyOfRange(rsc, 32, 49);
            byte[] want = new byte[17];
            if (version.equals("2.17.54")) {
                System.arraycopy("default".getBytes(StandardCharsets.US_ASCII), 0, want, 0, 7);
            }
            // 2.17.51-2.17.53: a name only after a lookup by SHA, which this request needs not.
            assertArrayEquals(want, name);
        }
        Downcalls.Rsi rsi = lsk.kernel.sim.SimDowncalls.rsi(Files.readAllBytes(t.rsi()));
        assertEquals(77, rsi.hash());
        assertEquals(0, rsi.err());
        assertEquals(GssException.GSS_S_COMPLETE, rsi.major());
    }

    /** No rsc_info at all: the client still gets its answer, an error, at once. */
    @Test
    void missingRscFileStillAnswersWithAnError() throws Exception {
        Tree t = tree("2.17.0");
        Files.delete(t.rsc());
        assertRsiError(t, Errno.ENOENT);
    }

    /** rsc_info that refuses the write (a directory: EISDIR even for root). */
    @Test
    void unwritableRscFileStillAnswersWithAnError() throws Exception {
        Tree t = tree("2.17.54");
        Files.delete(t.rsc());
        Files.createDirectory(t.rsc());
        assertRsiError(t, 21 /* EISDIR */);
    }

    private void assertRsiError(Tree t, int errno) throws Exception {
        {
            RequestHandler d = t.daemon();
            d.handle(request(4242));
            assertEquals(0, d.completed());
            assertEquals(1, d.failed());
        }
        Downcalls.Rsi rsi = lsk.kernel.sim.SimDowncalls.rsi(Files.readAllBytes(t.rsi()));
        assertEquals(4242, rsi.hash());
        assertEquals(-Errno.EACCES, rsi.err());
        assertEquals(GssException.GSS_S_FAILURE, rsi.major());
        assertEquals(0, rsi.outHandle().size());
        assertEquals(0, rsi.outToken().size());
        String line = logs.stream().filter(m -> m.startsWith("ERROR: rsc downcall")).findFirst().orElseThrow(
                () -> new AssertionError("no rsc error logged: " + logs));
        assertTrue(line.contains("errno " + errno), line);
        assertTrue(line.contains(t.rsc().toString()), line);
    }

    @Test
    void nodemapNamePolicy() {
        assertEquals("", Answers.rscNodemap(KernelAbi.NodemapName.NEVER, true, "default"));
        assertEquals("", Answers.rscNodemap(KernelAbi.NodemapName.AFTER_SHA_LOOKUP, false, "default"));
        assertEquals("biology", Answers.rscNodemap(KernelAbi.NodemapName.AFTER_SHA_LOOKUP, true, "biology"));
        assertEquals("default", Answers.rscNodemap(KernelAbi.NodemapName.ALWAYS, false, "default"));
    }
}
