package lsk.gssd;


import lsk.unixsock.SocketDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import lsk.base.LskException;
import lsk.handshake.Entropy;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.Downcalls;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.kernel.sim.SimKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import lsk.testutil.LocalUser;

/**
 * Regression (issue 10, item 4): the socket took its mode from the umask, no peer was checked
 * and the default lived in /tmp, where any user could squat the path. Now: the socket is 0600
 * in a directory of root's (0700, created when missing, refused when it is a link or someone
 * else's), and only root peers are served. The non-root peer is a user created for the test,
 * sending with lsk's own l_getauth.
 */
class SvcgssdPeerTest {
    @TempDir
    Path tmp;

    final List<String> logs = new CopyOnWriteArrayList<>();

    Path rsi;

    LustreKernel kernel() throws LskException {
        return LustreKernel.of(new ParamPaths(tmp.resolve("root")), SimKernel.NEWEST);
    }

    Svcgssd daemon(Path sock) throws Exception {
        rsi = kernel().paths().simulated(kernel().abi(), ParamPaths.RSI_DOWNCALL);
        Files.createDirectories(rsi.getParent());
        if (!Files.exists(rsi)) {
            Files.createFile(rsi);
        }
        Responder none = new Responder(d -> List.of(), NodemapResolver.NONE, Entropy.secure());
        return Svcgssd.start(new Svcgssd.Options(sock, kernel(), true, Duration.ofSeconds(2), 1), none,
                ChannelNative.load(), (lvl, m) -> logs.add(m));
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void socketIs0600InADirectoryOfRoots() throws Exception {
        Path dir = tmp.resolve("run-lsk");
        Path sock = dir.resolve("svcgssd.socket");
        try (Svcgssd d = daemon(sock)) {
            assertEquals("rw-------", mode(sock));
            assertEquals("rwx------", mode(dir));
            assertEquals(0, Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            try (var s = Files.list(dir)) {
                assertEquals(List.of(sock), s.toList(), "temporary name left behind");
            }
        }
    }

    @Test
    void socketDirectoryMustBeRootsAlone() throws Exception {
        Path missing = tmp.resolve("new");
        SocketDir.secure(missing, 0);
        assertEquals("rwx------", mode(missing));

        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(1, assertThrows(LskException.class, () -> SocketDir.secure(open, 0)).errno());

        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(theirs, "unix:uid", 65534);
        assertEquals(1, assertThrows(LskException.class, () -> SocketDir.secure(theirs, 0)).errno());

        Path link = Files.createSymbolicLink(tmp.resolve("link"), missing);
        assertEquals(40, assertThrows(LskException.class, () -> SocketDir.secure(link, 0)).errno());
    }

    @Test
    void onlyRootPeersAreServed() throws Exception {
        // The user must reach the socket's directory and the helper for this test.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path getauth = tmp.resolve("l_getauth");
        Files.copy(Path.of(System.getProperty("lsk.basedir", "."), "target", "native", "l_getauth"), getauth,
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(getauth, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path sock = tmp.resolve("svcgssd.socket");
        try (LocalUser user = LocalUser.create(); Svcgssd d = daemon(sock)) {
            // As bound, the socket is root's: the user cannot even connect.
            String out = send(user.command(getauth.toString(), "-c", "rsicache", "-r", line(7001)), sock, 1);
            assertTrue(out.contains("Permission denied"), out);

            // Were its mode wider, the daemon still refuses the peer, unread.
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
            send(user.command(getauth.toString(), "-c", "rsicache", "-r", line(7002)), sock, -1);
            SvcgssdProcessTest.waitFor(() -> d.refused() == 1, "the refusal");
            Thread.sleep(300);
            assertEquals(0, Files.size(rsi), "the non-root peer's request was answered");
            assertEquals(0, d.failed() + d.completed() + d.dropped());
            assertTrue(logs.stream().anyMatch(m -> m.contains("refused a connection from user " + user.name())), logs.toString());

            // Root is served.
            send(new ProcessBuilder(getauth.toString(), "-c", "rsicache", "-r", line(7003)), sock, 0);
            SvcgssdProcessTest.waitFor(() -> rsi.toFile().length() > 0, "the answer to root");
            assertEquals(7003, lsk.kernel.sim.SimDowncalls.rsi(Files.readAllBytes(rsi)).hash());
            assertEquals(1, d.refused());
        }
    }

    static String line(long hash) {
        return hash + " 131073 0x1 0x0 default 0 AAAA\n";
    }

    /** Runs l_getauth for {@code sock}; {@code status} -1: any. */
    static String send(ProcessBuilder pb, Path sock, int status) throws Exception {
        pb.environment().put("LSK_SVCGSSD_SOCKET", sock.toString());
        pb.environment().put("LSK_GETAUTH_NO_RESTART", "1");
        pb.environment().put("LSK_GETAUTH_STDERR", "1");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        if (status >= 0) {
            assertEquals(status, p.exitValue(), out);
        }
        return out;
    }
}
