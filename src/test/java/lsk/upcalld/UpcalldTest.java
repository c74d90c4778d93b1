package lsk.upcalld;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.cmd.Log;
import lsk.crypto.Ffdhe;
import lsk.kernel.LustreKernel;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import lsk.keyfile.KeyConfig;
import lsk.keyring.Keyring;
import lsk.keyring.SkKeyring;
import lsk.sk.KeyPerm;
import lsk.testutil.LocalUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service in this JVM on real keyring keys (type user), with a fake upcall in Java playing
 * the native one. It cannot instantiate (that needs request-key's authority), so the key is made
 * instantiated beforehand and the fake only links it; the kernel is a parameter tree without an
 * init channel, so every negotiation fails and stores the error payload, which the service can
 * write only as the key's possessor.
 */
class UpcalldTest {
    @TempDir
    Path tmp;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private Keyring kc;
    private int ring;
    private String fs;
    private Upcalld d;

    @BeforeEach
    void keys() throws Exception {
        kc = Keyring.open();
        byte[] tag = new byte[3];
        new SecureRandom().nextBytes(tag);
        fs = "up" + HexFormat.of().formatHex(tag);
        ring = kc.addKey("keyring", "lskupcalld-" + fs, new byte[0], Keyring.SESSION);
        byte[] shared = new byte[32];
        new SecureRandom().nextBytes(shared);
        new SkKeyring(kc, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), 0,
                java.time.Clock.systemDefaultZone(), new SecureRandom()).load(KeyConfig.builder()
                .type(KeyConfig.TYPE_CLIENT).fsname(fs).nodemap("default").hmacAlg(1).sharedKey(shared)
                .primeBits(2048).prime(Ffdhe.FFDHE2048.primeBytes()).build(), SkKeyring.LoadOptions.defaults());
        // The service searches its own session keyring and root's user keyring.
        for (int k : kc.find(Keyring.SESSION, x -> x.description().startsWith("lustre:" + fs))) {
            kc.link(k, Keyring.USER);
        }
    }

    @AfterEach
    void close() throws Exception {
        if (d != null) {
            d.close();
        }
        kc.unlink(ring, Keyring.SESSION);
        // The loader put the key in root's user keyring too: look there as well, or every run
        // leaves one key behind in the node's @u.
        for (int r : new int[] {Keyring.SESSION, Keyring.USER}) {
            for (int k : kc.find(r, x -> x.description().startsWith("lustre:" + fs))) {
                kc.unlink(k, r);
            }
        }
    }

    private Upcalld start(Path sock, int idleSeconds) throws Exception {
        LustreKernel k = LustreKernel.of(new ParamPaths(tmp.resolve("kernel")), LustreVersion.parse("2.17.0", "test"));
        Log l = (lvl, m) -> log.add(lvl + " " + m);
        d = Upcalld.start(Upcalld.Options.of(sock, Duration.ofSeconds(idleSeconds)), k, kc, l);
        return d;
    }

    private List<String> argv(int key, String flags, String requesterUid) {
        String callout = "1:sk:0:0:" + flags + ":p:1:0x20000c0a80165:" + fs + "-MDT0000-mdc-ffff1234:0x20000c0a80132:1";
        return List.of("create", Integer.toString(key), "user", "lskupcalld:" + fs, callout, requesterUid, "0", "0", "0",
                "0");
    }

    private static SocketChannel connect(Path sock) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(sock));
        return c;
    }

    /** One line from the service, or "" at end of file. */
    private static String line(SocketChannel c) throws IOException {
        StringBuilder b = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (c.read(one) < 0) {
                return b.toString();
            }
            b.append((char) one.get(0));
            if (one.get(0) == '\n') {
                return b.toString();
            }
        }
    }

    @Test
    void okOnlyOnceTheServiceHoldsTheKeyThenItNegotiatesAndLetsGo() throws Exception {
        Upcalld s = start(tmp.resolve("u.socket"), 0);
        int key = kc.addKey("user", "lskupcalld:" + fs + ":a", new byte[1], ring);
        // The lgssc key's grant: write for possessors only (read for the owner: this test checks the payload).
        kc.setPerm(key, KeyPerm.POS_ALL | KeyPerm.USR_VIEW | KeyPerm.USR_READ);
        try (SocketChannel c = connect(s.socketPath())) {
            c.write(ByteBuffer.wrap(FramesTest.req(argv(key, "r", "0"))));
            String inst = line(c);
            assertTrue(inst.matches("INST 0x[0-9a-f]+ -3 " + s.link() + " 1\n"), inst + log);
            kc.link(key, s.link()); // what the native upcall does after instantiating
            c.write(ByteBuffer.wrap("DONE 0\n".getBytes(ISO_8859_1)));
            assertEquals("OK\n", line(c), log.toString());
        }
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (s.negotiated() == 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(1, s.negotiated(), log.toString());
        // Its keyring is its own to read (no owner read): the unlink shows in its log.
        assertEquals(13, org.junit.jupiter.api.Assertions.assertThrows(lsk.keyring.KeyringException.class,
                () -> kc.list(s.link())).errno());
        assertTrue(log.stream().anyMatch(m -> m.endsWith(String.format("key %08x: unlinked from -3", key))),
                "not unlinked: " + log);
        // The error payload was stored (KeyUpdater logs "revoked" only after the update worked),
        // through the service's possession: the key grants no write otherwise.
        assertTrue(log.stream().anyMatch(m -> m.endsWith(String.format("key %08x: revoked", key))), log.toString());
    }

    @Test
    void noOkWhenTheKeyNeverReachedTheServiceKeyring() throws Exception {
        Upcalld s = start(tmp.resolve("u.socket"), 0);
        int key = kc.addKey("user", "lskupcalld:" + fs + ":b", new byte[1], ring);
        try (SocketChannel c = connect(s.socketPath())) {
            c.write(ByteBuffer.wrap(FramesTest.req(argv(key, "r", "0"))));
            assertTrue(line(c).startsWith("INST "));
            c.write(ByteBuffer.wrap("DONE 0\n".getBytes(ISO_8859_1)));
            assertEquals("", line(c), "answered without holding the key");
        }
        assertEquals(0, s.negotiated());
        assertTrue(log.stream().anyMatch(m -> m.contains("not in the service keyring")), log.toString());
    }

    @Test
    void refusalsAndBadRequests() throws Exception {
        Upcalld s = start(tmp.resolve("u.socket"), 0);
        try (SocketChannel c = connect(s.socketPath())) { // root context asked by uid 1000
            c.write(ByteBuffer.wrap(FramesTest.req(argv(7, "r", "1000"))));
            assertEquals("REFUSE 60 129\n", line(c));
        }
        try (SocketChannel c = connect(s.socketPath())) { // strict argv parser
            c.write(ByteBuffer.wrap(FramesTest.req(List.of("create", "x"))));
            assertEquals("REFUSE 0 22\n", line(c));
        }
        for (String bad : new String[] {"REQ 17\n", "REQ 1\n9999:", "HELLO\n"}) {
            try (SocketChannel c = connect(s.socketPath())) {
                c.write(ByteBuffer.wrap(bad.getBytes(ISO_8859_1)));
                assertEquals("", line(c), bad);
            }
        }
        try (SocketChannel c = connect(s.socketPath())) { // oversize: never a complete message
            ByteBuffer big = ByteBuffer.wrap(("REQ 1\n8190:" + "a".repeat(8190) + ",").getBytes(ISO_8859_1));
            try {
                while (big.hasRemaining() && c.write(big) > 0) {
                    // the service reads until its bound and closes
                }
            } catch (IOException e) {
                // closed while writing: as good
            }
            try {
                assertEquals("", line(c));
            } catch (IOException e) {
                // reset: closed unanswered, as good
            }
        }
        assertTrue(log.stream().anyMatch(m -> m.contains("refused: a root context")), log.toString());
    }

    @Test
    void idleExitRemovesTheSocket() throws Exception {
        Path sock = tmp.resolve("idle.socket");
        Upcalld s = start(sock, 1);
        assertTrue(Files.exists(sock));
        assertTrue(s.join(), "ended other than idle");
        assertFalse(Files.exists(sock), "socket left behind");
    }

    @Test
    void aLiveSocketIsNeverReplaced() throws Exception {
        Path sock = tmp.resolve("one.socket");
        start(sock, 0);
        LustreKernel k = LustreKernel.of(new ParamPaths(tmp.resolve("kernel")), LustreVersion.parse("2.17.0", "test"));
        lsk.base.LskException e = org.junit.jupiter.api.Assertions.assertThrows(lsk.base.LskException.class,
                () -> Upcalld.start(Upcalld.Options.of(sock, Duration.ZERO), k, kc, (l, m) -> { }));
        assertEquals(lsk.unixsock.SocketFile.EADDRINUSE, e.errno(), e.getMessage());
        assertTrue(Files.exists(sock));
    }

    @Test
    void anUnprivilegedUserIsKeptOutAndRefused() throws Exception {
        assumeTrue(LocalUser.available(), "needs root, useradd and setpriv");
        Path dir = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Upcalld s = start(dir.resolve("u.socket"), 0);
        String probe = "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect(sys.argv[1])\n"
                + "except OSError as e:\n print('connect', e.errno); sys.exit(0)\ntry:\n s.sendall(b'REQ 0\\n')\n"
                + " print('read', repr(s.recv(64)))\nexcept OSError:\n print('read', repr(b''))\n";
        try (LocalUser u = LocalUser.create()) {
            LocalUser.Result r = u.exec("/usr/bin/python3", "-c", probe, s.socketPath().toString());
            assertEquals("connect 13", r.out().trim(), r.output()); // mode 0600: EACCES
            Files.setPosixFilePermissions(s.socketPath(), PosixFilePermissions.fromString("rw-rw-rw-"));
            r = u.exec("/usr/bin/python3", "-c", probe, s.socketPath().toString());
            assertEquals("read b''", r.out().trim(), r.output()); // reached it: SO_PEERCRED closes it
            u.exec("/usr/bin/python3", "-c", probe, s.socketPath().toString());
        }
        assertEquals(2, s.refusedPeers());
        assertEquals(1, log.stream().filter(m -> m.contains("refused a connection from user")).count(), log.toString());
    }
}
