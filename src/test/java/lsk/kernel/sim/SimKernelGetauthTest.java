package lsk.kernel.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native l_getauth helper (jni/l_getauth.c, built into target/native by mvn), run as the
 * kernel runs it, against a stand-in daemon socket: what it accepts, what it refuses and that it
 * hands the line over byte for byte in one connection.
 */
class SimKernelGetauthTest {
    static final Path HELPER = Path.of(System.getProperty("lsk.basedir", ".")).toAbsolutePath()
            .resolve("target/native/l_getauth");
    static final String LINE = "1234567 131073 0x20000c0a80132 0x5eed000000000001 default 0 AAECAwQ\n";

    @TempDir
    Path tmp;
    Path sock;
    ServerSocketChannel daemon;

    @BeforeEach
    void listen() throws IOException {
        sock = tmp.resolve("svcgssd.socket");
        daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        daemon.bind(UnixDomainSocketAddress.of(sock));
    }

    @AfterEach
    void close() throws IOException {
        daemon.close();
    }

    record Run(int exit, String stderr, long millis) {
    }

    Run run(Map<String, String> extraEnv, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(HELPER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(Map.of("HOME", "/", "PATH", "/sbin:/usr/sbin", "LSK_SVCGSSD_SOCKET", sock.toString(),
                "LSK_GETAUTH_NO_RESTART", "1", "LSK_GETAUTH_STDERR", "1"));
        pb.environment().putAll(extraEnv);
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "l_getauth did not finish");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.exitValue(), err, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    Run run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    /** What one connection to the stand-in daemon carried, read until the helper closed it. */
    CompletableFuture<byte[]> nextConnection() {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel c = daemon.accept()) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(256 * 1024);
                while (c.read(b) >= 0) {
                    got.write(b.array(), 0, b.position());
                    b.clear();
                }
                return got.toByteArray();
            } catch (IOException e) {
                return null;
            }
        });
    }

    @Test
    void handsTheLineOverExactly() throws Exception {
        assertTrue(Files.isExecutable(HELPER), "helper not built at " + HELPER);
        CompletableFuture<byte[]> got = nextConnection();
        Run r = run("-c", "rsicache", "-r", LINE);
        assertEquals(0, r.exit(), r.stderr());
        assertArrayEquals(LINE.getBytes(StandardCharsets.US_ASCII), got.get(10, TimeUnit.SECONDS));
        assertEquals("", r.stderr(), "nothing to say on success");
    }

    @Test
    void longOptionsAndTheLargestLineTheKernelCanPass() throws Exception {
        CompletableFuture<byte[]> got = nextConnection();
        assertEquals(0, run("--cache=rsicache", "--authreq", LINE).exit());
        assertArrayEquals(LINE.getBytes(StandardCharsets.US_ASCII), got.get(10, TimeUnit.SECONDS));
        // MAX_ARG_STRLEN counts the NUL: 131071 characters is the longest argument execve passes.
        String prefix = "1 2 0x3 0x4 default 0 ";
        String big = prefix + "A".repeat(131071 - prefix.length() - 1) + "\n";
        CompletableFuture<byte[]> gotBig = nextConnection();
        Run r = run("-c", "rsicache", "-r", big);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(131071, gotBig.get(10, TimeUnit.SECONDS).length);
    }

    @Test
    void refusesWhatTheKernelNeverSends() throws Exception {
        String[][] bad = {
            {},
            {"-c", "rsicache"},
            {"-r", LINE},
            {"-c", "rsccache", "-r", LINE},
            {"-c", "rsicache", "-r", LINE, "extra"},
            {"-c", "rsicache", "-c", "rsicache", "-r", LINE},
            {"-c", "rsicache", "-r", LINE, "-r", LINE},
            {"-x", "-c", "rsicache", "-r", LINE},
            {"-c", "rsicache", "-r", LINE.strip()},
            {"-c", "rsicache", "-r", LINE.strip() + "\n\n"},
            {"-c", "rsicache", "-r", "1 2 0x3 0x4 default 0\n"},
            {"-c", "rsicache", "-r", "1 2 0x3 0x4 default 0 AAAA 5\n"},
            {"-c", "rsicache", "-r", "1 2  0x4 default 0 AAAA\n"},
            {"-c", "rsicache", "-r", " 1 2 0x3 0x4 default 0 AAAA\n"},
            {"-c", "rsicache", "-r", "1 2 0x3 0x4 default 0 AAAA \n"},
            {"-c", "rsicache", "-r", "1 2 0x3 0x4 def\tault 0 AAAA\n"},
            {"-c", "rsicache", "-r", "1 2 0x3 0x4 def\u0001ault 0 AAAA\n"},
            {"-c", "rsicache", "-r", "\n"},
        };
        CompletableFuture<byte[]> any = nextConnection();
        for (String[] args : bad) {
            Run r = run(args);
            assertEquals(1, r.exit(), String.join(" ", args));
            assertTrue(!r.stderr().isEmpty(), "says why: " + String.join(" ", args));
        }
        assertTrue(!any.isDone(), "a refused request reached the daemon");
        Run rel = run(Map.of("LSK_SVCGSSD_SOCKET", "relative.socket"), "-c", "rsicache", "-r", LINE);
        assertEquals(1, rel.exit());
        assertTrue(rel.stderr().contains("absolute"), rel.stderr());
        any.cancel(true);
    }

    @Test
    void debugOnlyChecksTheConnection() throws Exception {
        CompletableFuture<byte[]> got = nextConnection();
        assertEquals(0, run("-d").exit());
        assertEquals(0, got.get(10, TimeUnit.SECONDS).length, "-d sends nothing");
        daemon.close();
        Files.delete(sock);
        Run r = run("-d");
        assertEquals(1, r.exit());
        assertTrue(r.millis() < 1000, "-d does not retry: " + r.millis() + " ms");
    }

    @Test
    void noDaemonMeansSixAttemptsThenExit1() throws Exception {
        daemon.close();
        Files.delete(sock);
        Run r = run("-c", "rsicache", "-r", LINE);
        assertEquals(1, r.exit());
        assertTrue(r.stderr().contains("attempt 6 of 6") && !r.stderr().contains("attempt 7"), r.stderr());
        assertTrue(r.stderr().contains("not delivered"), r.stderr());
        assertTrue(!r.stderr().contains("AAECAwQ"), "the line is not logged");
    }
}
