package lsk.gssd;


import lsk.unixsock.DaemonNative;
import lsk.unixsock.SocketFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.base.LskException;
import lsk.handshake.Entropy;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.kernel.sim.SimKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's socket file: a second daemon refuses and leaves the first serving, a live socket
 * is never unlinked, a stale one is replaced, a non-socket is refused, and on close only the
 * file this daemon bound is removed.
 */
class SvcgssdSocketTest {
    @TempDir
    Path tmp;

    final List<String> logs = new CopyOnWriteArrayList<>();

    Svcgssd daemon(Path sock) throws Exception {
        LustreKernel k = LustreKernel.of(new ParamPaths(tmp.resolve("root")), SimKernel.NEWEST);
        Path rsi = k.paths().simulated(k.abi(), ParamPaths.RSI_DOWNCALL);
        Files.createDirectories(rsi.getParent());
        if (!Files.exists(rsi)) {
            Files.createFile(rsi);
        }
        Responder none = new Responder(d -> List.of(), NodemapResolver.NONE, Entropy.secure());
        return Svcgssd.start(new Svcgssd.Options(sock, k, true, Duration.ofSeconds(2), 1), none, ChannelNative.load(),
                (lvl, m) -> logs.add(m));
    }

    static Object inode(Path p) throws Exception {
        return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    /** Sends a junk request and waits for the error answer the daemon writes for it. */
    static void served(Svcgssd d, Path sock) throws Exception {
        long before = d.failed();
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            c.write(ByteBuffer.wrap("5 131073 0x1 0x0 default 0 AAAA\n".getBytes(StandardCharsets.US_ASCII)));
        }
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (d.failed() == before && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertEquals(before + 1, d.failed(), "daemon did not answer");
    }

    @Test
    void secondDaemonRefusesAndTheFirstKeepsServing() throws Exception {
        Path sock = tmp.resolve("svcgssd.socket");
        try (Svcgssd first = daemon(sock)) {
            Object ino = inode(sock);
            LskException e = assertThrows(LskException.class, () -> daemon(sock));
            assertEquals(SocketFile.EADDRINUSE, e.errno());
            assertTrue(e.getMessage().contains("another daemon is listening"), e.getMessage());
            assertEquals(ino, inode(sock), "the live socket was replaced");
            served(first, sock);
        }
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "own socket left behind");
    }

    /**
     * A listener that binds the path between the probe and the daemon's own bind is not replaced
     * either: the daemon binds under a temporary name and moves it into place only if the path
     * is still free.
     */
    @Test
    void listenerBoundAfterTheProbeIsNotReplaced() throws Exception {
        Path sock = tmp.resolve("raced.socket");
        DaemonNative real = DaemonNative.load();
        DaemonNative late = (DaemonNative) java.lang.reflect.Proxy.newProxyInstance(DaemonNative.class.getClassLoader(),
                new Class<?>[] {DaemonNative.class}, (proxy, m, args) -> {
                    if (m.getName().equals("lsk_unix_probe")) {
                        // nothing there at the probe; the other listener binds right after
                        ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                        other.bind(UnixDomainSocketAddress.of(sock));
                        raced.add(other);
                        return 0L;
                    }
                    return m.invoke(real, args);
                });
        LskException e = assertThrows(LskException.class, () -> SocketFile.bind(sock, 8, late, (l, m) -> { }));
        assertEquals(SocketFile.EADDRINUSE, e.errno(), e.getMessage());
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            assertTrue(c.isConnected());
            assertTrue(raced.get(0).accept() != null, "the path no longer leads to the other listener");
        } finally {
            raced.get(0).close();
        }
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(sock), files.toList(), "temporary socket left behind");
        }
    }

    final List<ServerSocketChannel> raced = new CopyOnWriteArrayList<>();

    @Test
    void foreignLiveListenerIsNeverUnlinked() throws Exception {
        Path sock = tmp.resolve("other.socket");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(sock));
            Object ino = inode(sock);
            assertThrows(LskException.class, () -> daemon(sock));
            assertEquals(ino, inode(sock));
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                assertTrue(c.isConnected());
            }
        }
    }

    @Test
    void staleSocketIsReplaced() throws Exception {
        Path sock = tmp.resolve("stale.socket");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "closing does not remove the file");
        try (Svcgssd d = daemon(sock)) {
            assertTrue(logs.contains("removed stale socket " + sock), logs.toString());
            served(d, sock);
        }
    }

    @Test
    void nonSocketsAreRefusedAndKept() throws Exception {
        Path file = tmp.resolve("plain");
        Files.writeString(file, "keep me");
        Path target = tmp.resolve("target.socket");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(target));
        }
        Path link = Files.createSymbolicLink(tmp.resolve("link.socket"), target);
        for (Path p : List.of(file, link)) {
            LskException e = assertThrows(LskException.class, () -> daemon(p));
            assertEquals(SocketFile.ENOTSOCK, e.errno(), e.getMessage());
        }
        assertEquals("keep me", Files.readString(file));
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.exists(target, LinkOption.NOFOLLOW_LINKS), "the link's target was removed");
    }

    @Test
    void closeRemovesOnlyTheFileItBound() throws Exception {
        Path sock = tmp.resolve("svcgssd.socket");
        Svcgssd d = daemon(sock);
        // Someone replaces the file while the daemon runs: that file is not the daemon's to remove.
        Files.delete(sock);
        Files.writeString(sock, "not ours");
        d.close();
        assertEquals("not ours", Files.readString(sock));
    }
}
