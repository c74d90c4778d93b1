package lsk.kernel.sim;

import lsk.base.Errno;
import lsk.kernel.SocketKernelChannel;
import lsk.kernel.DowncallsTest;
import lsk.kernel.KernelAbi;
import lsk.kernel.KernelChannel;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import lsk.kernel.ReplyBuffer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.base.LskException;
import lsk.gssd.Svcgssd;
import lsk.sk.GssException;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The simulated kernel's init_channel per version: it takes only its version's struct size,
 * and answers with that version's status semantics (80 bytes: the struct copied back, status at
 * 64 and reply length at 72; 72 bytes: the s64 at the status pointer). Frames and answers are
 * built and read by hand here (frame layout in {@link SocketKernelChannel}).
 */
class SimInitChannelTest {
    static final LustreVersion V2_16_1 = LustreVersion.of(2, 16, 1);
    static final LustreVersion V2_17_0 = LustreVersion.of(2, 17, 0);
    static final String OBD = "tank-MDT0000-mdc-ffff8881a2b4c000";

    @TempDir
    Path tmp;

    final List<String> logs = new CopyOnWriteArrayList<>();

    /** A simulated kernel with no daemon behind it: every SEC_CTX_INIT fails with EACCES. */
    SimKernel start(LustreVersion v) throws LskException {
        return SimKernel.start(new SimKernel.Config(tmp.resolve("root-" + v), v, tmp.resolve("no-daemon.sock"), 0L,
                "default", Duration.ofSeconds(5)), logs::add);
    }

    static LustreVersion version(String v) throws LskException {
        return lsk.kernel.LustreKernel.version(v, "test");
    }

    @Test
    void kernelOf2161RefusesThe72ByteWrite() throws Exception {
        try (SimKernel k = start(V2_16_1)) {
            assertRefused(k, KernelAbi.IoctlParam.P72_STATUS_POINTER, "ioctl size 72, expect 80");
        }
    }

    @Test
    void kernelOf2170RefusesThe80ByteWrite() throws Exception {
        try (SimKernel k = start(V2_17_0)) {
            assertRefused(k, KernelAbi.IoctlParam.P80_STATUS_COPIED_BACK, "ioctl size 80, expect 72");
        }
    }

    private void assertRefused(SimKernel k, KernelAbi.IoctlParam wrong, String logged) throws Exception {
        KernelChannel ch = new SocketKernelChannel(init(k), DowncallsTest.SHIM, wrong);
        LskException e = assertThrows(LskException.class,
                () -> ch.negotiate(new KernelChannel.InitRequest(1, OBD, 1, 0, 0, new byte[5])));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().contains("errno 22"), e.getMessage());
        assertTrue(logs.stream().anyMatch(m -> m.contains(logged)), logs.toString());
    }

    private static Path init(SimKernel k) {
        return k.paths().simulated(k.kernel().abi(), ParamPaths.INIT_CHANNEL);
    }

    /** The struct a client of {@code size} writes, by hand: version 2, token of 5 bytes. */
    static byte[] struct(int size, int version) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, version).putInt(4, 11).putInt(16, 0x20001).putInt(20, 0).putInt(24, 0);
        b.putLong(32, 5).putLong(48, ReplyBuffer.SIZE);
        b.putLong(8, 0x1111).putLong(40, 0x2222).putLong(56, 0x3333); // pointers: never followed
        return b.array();
    }

    record Raw(long rc, byte[] copied, byte[] pointee, byte[] reply) {
    }

    static Raw send(Path init, byte[] param) throws Exception {
        byte[] name = (OBD + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer f = ByteBuffer.allocate(4 + param.length + name.length + 5).order(ByteOrder.LITTLE_ENDIAN);
        f.putInt(param.length).put(param).put(name).put(new byte[] {1, 2, 3, 4, 5}).flip();
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(init))) {
            while (f.hasRemaining()) {
                c.write(f);
            }
            c.shutdownOutput();
            InputStream in = Channels.newInputStream(c);
            ByteBuffer a = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            long rc = a.getLong();
            byte[][] parts = new byte[3][];
            for (int i = 0; i < 3; i++) {
                parts[i] = new byte[a.getInt()];
                a.get(parts[i]);
            }
            assertEquals(0, a.remaining());
            return new Raw(rc, parts[0], parts[1], parts[2]);
        }
    }

    @Test
    void eightyByteFormCopiesTheStructBackWithStatusAt64() throws Exception {
        try (SimKernel k = start(V2_16_1)) {
            byte[] sent = struct(80, 2);
            Raw r = send(init(k), sent);
            assertEquals(80, r.rc());
            assertEquals(0, r.pointee().length);
            assertEquals(0, r.reply().length);
            assertEquals(80, r.copied().length);
            assertArrayEquals(Arrays.copyOf(sent, 64), Arrays.copyOf(r.copied(), 64));
            ByteBuffer back = ByteBuffer.wrap(r.copied()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(-Errno.EACCES, back.getLong(64));
            assertEquals(0L, back.getLong(72));
        }
    }

    @Test
    void seventyTwoByteFormWritesTheStatusPointee() throws Exception {
        try (SimKernel k = start(V2_17_0)) {
            Raw r = send(init(k), struct(72, 2));
            assertEquals(72, r.rc());
            assertEquals(0, r.copied().length);
            assertEquals(0, r.reply().length);
            assertEquals(8, r.pointee().length);
            assertEquals(-Errno.EACCES, ByteBuffer.wrap(r.pointee()).order(ByteOrder.LITTLE_ENDIAN).getLong());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.15.8", "2.16.1", "2.17.0", "2.17.54"})
    void otherInterfaceVersionsAndSizesAreRefusedWithEinval(String v) throws Exception {
        try (SimKernel k = start(version(v))) {
            int size = SimInitChannel.expectedSize(k.kernel().abi());
            assertEquals(-Errno.EINVAL, send(init(k), struct(size, 1)).rc());
            assertEquals(-Errno.EINVAL, send(init(k), struct(size, 3)).rc());
            assertEquals(-Errno.EINVAL, send(init(k), struct(size + 8, 2)).rc());
            assertEquals(-Errno.EINVAL, send(init(k), struct(size - 8, 2)).rc());
            assertTrue(logs.stream().anyMatch(m -> m.contains("interface version 3, expect 2")), logs.toString());
        }
    }

    /** The client reads a failed status the same way for both forms: the kernel's errno. */
    @ParameterizedTest
    @ValueSource(strings = {"2.16.1", "2.17.0", "2.17.54"})
    void clientSeesTheStatusOfEachForm(String v) throws Exception {
        try (SimKernel k = start(version(v))) {
            KernelChannel ch = KernelChannel.open(k.kernel());
            LskException e = assertThrows(LskException.class,
                    () -> ch.negotiate(new KernelChannel.InitRequest(1, OBD, 1, 0, 0, new byte[5])));
            assertEquals(Errno.EACCES, e.errno());
            assertTrue(e.getMessage().contains("status -13"), e.getMessage());
        }
    }

    /** Status 0 and a reply buffer (here the daemon's refusal) reach the client in each form. */
    @ParameterizedTest
    @ValueSource(strings = {"2.15.8", "2.16.1", "2.17.0", "2.17.54"})
    void replyBufferReachesTheClientInEachForm(String v) throws Exception {
        Path sock = tmp.resolve("svcgssd.socket");
        Responder rejecting = new Responder(d -> List.of(), NodemapResolver.NONE, new lsk.handshake.Entropy() {
            @Override public byte[] random4() { throw new IllegalStateException("unused"); }
            @Override public java.math.BigInteger privateKey(java.math.BigInteger p) {
                throw new IllegalStateException("unused");
            }
        });
        try (SimKernel k = SimKernel.start(new SimKernel.Config(tmp.resolve("root"), version(v), sock, 0L, "default",
                Duration.ofSeconds(10)), logs::add)) {
            Svcgssd d = Svcgssd.start(new Svcgssd.Options(sock, k.kernel(), true, Duration.ofMillis(500), 1), rejecting,
                    DowncallsTest.SHIM, (lvl, m) -> logs.add(m));
            try (d) {
                ReplyBuffer r = KernelChannel.open(k.kernel()).negotiate(new KernelChannel.InitRequest(1, OBD,
                        0x20001, 0, 0, "not a token".getBytes(StandardCharsets.US_ASCII)));
                assertTrue(r.major() != GssException.GSS_S_COMPLETE, r.toString());
                // 2.15's rsi line has no err word (rsi_parse): the client sees major/minor only
                assertEquals(v.startsWith("2.15.") ? 0 : -Errno.EACCES, r.result());
            }
        }
    }
}
