package lsk.kernel.sim;

import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.UpcallLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import lsk.base.LskException;
import lsk.sk.GssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server half of the simulated kernel of each version, with a stand-in daemon that writes
 * hand-built downcalls: the kernel runs its rsi upcall program (the real l_getauth) as the
 * kernel does, reads rsc/rsi in its own version's layout, installs the context the right layout
 * carries and fails the client at once when the rsc was written in the other layout.
 */
class SimKernelUpcallTest {
    static final byte[] TOKEN = "an SK init token".getBytes(StandardCharsets.US_ASCII);
    static final byte[] HANDLE = SimKernelDowncallsTest.HANDLE;
    static final long NID = 0x00020000c0a80132L;

    @TempDir
    Path tmp;
    final List<String> log = new CopyOnWriteArrayList<>();

    SimKernel start(String version, String upcall) throws LskException {
        SimKernel.Config c = new SimKernel.Config(tmp.resolve("root"), lsk.kernel.LustreKernel.version(version, "test"),
                tmp.resolve("svcgssd.socket"), NID, "default", Duration.ofSeconds(20));
        return SimKernel.start(upcall == null ? c : c.withUpcall(upcall), log::add);
    }

    ServerSocketChannel daemon() throws Exception {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(tmp.resolve("svcgssd.socket")));
        return s;
    }

    /** Plays lsvcgssd for one request: reads the line, writes {@code rsc} (if any) and then the rsi. */
    static CompletableFuture<UpcallLine> answer(ServerSocketChannel d, SimKernel k, boolean rsc72) {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel c = d.accept()) {
                UpcallLine line = UpcallLine.parse(Channels.newInputStream(c).readAllBytes());
                write(k, ParamPaths.RSC_DOWNCALL, rsc72
                        ? SimKernelDowncallsTest.rsc72("sk", "default", HANDLE, SimKernelDowncallsTest.context())
                        : SimKernelDowncallsTest.rsc48("sk", HANDLE, SimKernelDowncallsTest.context()));
                write(k, ParamPaths.RSI_DOWNCALL, SimKernelDowncallsTest.rsi(SimKernelDowncallsTest.RSI_MAGIC,
                        line.hash(), 0, 0, 0, line.inHandle().toByteArray(), line.inToken().toByteArray(), HANDLE,
                        new byte[] {7, 7}));
                return line;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** One write(2), as the daemon does it. */
    static void write(SimKernel k, String param, byte[] blob) throws Exception {
        try (FileOutputStream out = new FileOutputStream(k.paths().simulated(k.kernel().abi(), param).toFile())) {
            out.write(blob);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.16.1", "2.17.0", "2.17.54"})
    void thisVersionsLayoutInstallsTheContextThroughTheRealHelper(String version) throws Exception {
        try (SimKernel k = start(version, SimKernelGetauthTest.HELPER.toString()); ServerSocketChannel d = daemon()) {
            boolean h72 = k.kernel().abi().rscHeader == KernelAbi.RscHeader.H72;
            CompletableFuture<UpcallLine> line = answer(d, k, h72);
            ReplyBuffer r = k.secCtxInit(0x20001, "tank-MDT0000_UUID", TOKEN);
            assertEquals(0, r.major(), String.join("\n", log));
            assertArrayEquals(HANDLE, r.handle().toByteArray());
            assertArrayEquals(new byte[] {7, 7}, r.token().toByteArray());
            assertEquals(SimKernel.SEQ_WINDOW, r.seqWindow());
            UpcallLine got = line.get(10, TimeUnit.SECONDS);
            assertEquals(NID, got.nid());
            assertEquals(0x20001, got.lustreSvc());
            assertArrayEquals(TOKEN, got.inToken().toByteArray());
            Downcalls.Rsc ctx = k.serverContext(HANDLE).orElseThrow();
            assertEquals(h72 ? "default" : "", ctx.nodemap());
            assertArrayEquals(SimKernelDowncallsTest.context(), ctx.context().reveal());
        }
    }

    /** The daemon wrote the other layout: the kernel installs nothing and the client fails at once. */
    @ParameterizedTest
    @ValueSource(strings = {"2.16.1", "2.17.0", "2.17.54"})
    void theOtherLayoutInstallsNothingAndFailsAtOnce(String version) throws Exception {
        try (SimKernel k = start(version, SimKernelGetauthTest.HELPER.toString()); ServerSocketChannel d = daemon()) {
            boolean h72 = k.kernel().abi().rscHeader == KernelAbi.RscHeader.H72;
            answer(d, k, !h72);
            long t0 = System.nanoTime();
            ReplyBuffer r = k.secCtxInit(0x20001, "tank-MDT0000_UUID", TOKEN);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "failed at once, not by timeout");
            assertEquals(GssException.GSS_S_FAILURE, r.major());
            assertEquals(0, r.handle().size());
            assertEquals(0, k.serverContextCount());
            assertTrue(log.stream().anyMatch(m -> m.contains("rsc downcall refused")), String.join("\n", log));
        }
    }

    /** argv {path, -c, rsicache, -r, LINE} and a fixed environment, as rsi_do_upcall passes them. */
    @Test
    void runsTheUpcallWithTheKernelsArgvAndEnvironment() throws Exception {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Path prog = tmp.resolve("upcall.sh");
        Files.writeString(prog, "#!/bin/sh\n"
                + "printf '%s\\0' \"$0\" \"$@\" > '" + out + "/args.tmp'\n"
                + "/bin/cat /proc/$$/environ > '" + out + "/env.tmp'\n"
                + "/bin/mv '" + out + "/env.tmp' '" + out + "/env'; /bin/mv '" + out + "/args.tmp' '" + out + "/args'\n");
        Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwx------"));
        try (SimKernel k = start("2.17.0", prog.toString())) {
            CompletableFuture<ReplyBuffer> r = CompletableFuture.supplyAsync(() -> {
                try {
                    return k.secCtxInit(0x20002, "tank-OST0000_UUID", TOKEN);
                } catch (LskException e) {
                    return null;
                }
            });
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.exists(out.resolve("args")) && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            List<String> argv = Arrays.asList(Files.readString(out.resolve("args")).split("\0", -1));
            assertEquals(List.of(prog.toString(), "-c", "rsicache", "-r"), argv.subList(0, 4));
            UpcallLine line = UpcallLine.parse(argv.get(4).getBytes(StandardCharsets.US_ASCII));
            assertTrue(argv.get(4).endsWith("\n"));
            assertArrayEquals(TOKEN, line.inToken().toByteArray());
            assertEquals(6, argv.size(), "five arguments (and the final separator)");
            List<String> env = Arrays.stream(Files.readString(out.resolve("env")).split("\0")).sorted().toList();
            assertEquals(List.of("HOME=/", "LSK_GETAUTH_NO_RESTART=1", "LSK_GETAUTH_STDERR=1",
                    "LSK_SVCGSSD_SOCKET=" + tmp.resolve("svcgssd.socket"), "PATH=/sbin:/usr/sbin"), env);
            k.close();
            // close() cancels the wait: the request ends with an exception (or null), never a reply.
            assertTrue(r.handle((reply, e) -> reply == null).get(10, TimeUnit.SECONDS), "no downcall, no reply");
        }
    }

    @Test
    void rsiUpcallParameterIsReadPerUpcall() throws Exception {
        try (SimKernel k = start("2.17.0", null)) {
            Path param = k.paths().simulated(k.kernel().abi(), ParamPaths.RSI_UPCALL);
            assertTrue(param.toString().endsWith("root/sys/kernel/debug/lustre/sptlrpc/gss/rsi_upcall"), param.toString());
            assertEquals("NONE\n", Files.readString(param), "no program configured");
            LskException e = org.junit.jupiter.api.Assertions.assertThrows(LskException.class,
                    () -> k.secCtxInit(0x20001, "u", TOKEN));
            assertTrue(e.getMessage().contains("no lsvcgssd"), e.getMessage());

            Files.writeString(param, tmp.resolve("missing/l_getauth") + "\n");
            e = org.junit.jupiter.api.Assertions.assertThrows(LskException.class, () -> k.secCtxInit(0x20001, "u", TOKEN));
            assertTrue(e.getMessage().contains("rsi upcall") && e.getMessage().contains("cannot run"), e.getMessage());

            Files.writeString(param, "relative/l_getauth\n");
            org.junit.jupiter.api.Assertions.assertThrows(LskException.class, () -> k.secCtxInit(0x20001, "u", TOKEN));

            // debugfs unmounted hides the file, not the kernel's setting (NONE here).
            Files.delete(param);
            try (ServerSocketChannel d = daemon()) {
                answer(d, k, false);
                assertEquals(0, k.secCtxInit(0x20001, "u", TOKEN).major(), String.join("\n", log));
            }
        }
    }

    @Test
    void aFailingHelperIsReapedAndLogged() throws Exception {
        try (SimKernel k = start("2.17.54", SimKernelGetauthTest.HELPER.toString())) {
            SimRsiUpcall up = new SimRsiUpcall(k.paths().simulated(k.kernel().abi(), ParamPaths.RSI_UPCALL),
                    SimKernelGetauthTest.HELPER.toString(), tmp.resolve("no-daemon.socket"), log::add);
            up.send(UpcallLine.parse(SimKernelGetauthTest.LINE.getBytes(StandardCharsets.US_ASCII)));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (log.isEmpty() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(log.stream().anyMatch(m -> m.contains("exited 1") && m.contains("attempt 6 of 6")),
                    String.join("\n", log));
        }
    }
}
