package lsk.kernel;

import lsk.base.Errno;
import lsk.kernel.sim.SimKernel;
import lsk.kernel.sim.SimKernelCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import lsk.base.LskException;
import lsk.cmd.Io;
import lsk.testutil.LocalUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Root writes downcalls (the rsc one with the session keys) into the parameter tree, and
 * {@code lsk simkernel} creates it: neither may go through a link someone planted, nor use a
 * tree someone else can change.
 */
class ParamRootTrustTest {
    static final byte[] DOWNCALL = "a downcall with session keys".getBytes(StandardCharsets.US_ASCII);
    static final String VICTIM = "root's file, not to be clobbered\n";

    @TempDir
    Path tmp;

    /** A simulated tree as the simulated kernel makes it (root's, 0755), with regular downcall files. */
    private LustreKernel tree(Path root) throws Exception {
        LustreKernel k = LustreKernel.of(new ParamPaths(root), SimKernel.NEWEST);
        for (String p : List.of(ParamPaths.RSI_DOWNCALL, ParamPaths.RSC_DOWNCALL)) {
            Path f = k.paths().simulated(k.abi(), p);
            Files.createDirectories(f.getParent(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
            Files.writeString(f, "");
        }
        return k;
    }

    private Path victim() throws Exception {
        Path v = tmp.resolve("victim");
        Files.writeString(v, VICTIM);
        return v;
    }

    @Test
    void aTrustedTreeIsUsed() throws Exception {
        LustreKernel k = tree(tmp.resolve("root"));
        Path rsc = k.param(ParamPaths.RSC_DOWNCALL, ChannelNative.load());
        assertEquals(0, ChannelNative.load().lsk_downcall_write(rsc.toString(), DOWNCALL, DOWNCALL.length));
        assertEquals(DOWNCALL.length, Files.size(rsc));
    }

    @Test
    void aLinkPlantedAtTheDowncallFilesIsNotFollowed() throws Exception {
        LustreKernel k = tree(tmp.resolve("root"));
        Path victim = victim();
        ChannelNative shim = ChannelNative.load();
        for (String p : List.of(ParamPaths.RSI_DOWNCALL, ParamPaths.RSC_DOWNCALL)) {
            Path f = k.paths().simulated(k.abi(), p);
            Files.delete(f);
            Files.createSymbolicLink(f, victim);
            LskException e = assertThrows(LskException.class, () -> k.param(p, shim));
            assertTrue(e.getMessage().contains(f + " is a symbolic link") && e.getMessage().contains("refused"),
                    e.getMessage());
            // The write itself, should the link appear after the check: O_NOFOLLOW, ELOOP.
            assertEquals(-40, shim.lsk_downcall_write(f.toString(), DOWNCALL, DOWNCALL.length));
            assertEquals(VICTIM, Files.readString(victim), "the link's target was written");
        }
    }

    @Test
    void aLinkedDirectoryInTheTreeIsRefused() throws Exception {
        Path root = tmp.resolve("root");
        LustreKernel k = tree(root);
        Path elsewhere = tree(tmp.resolve("elsewhere")).paths().simulated(k.abi(), ParamPaths.RSC_DOWNCALL).getParent();
        Path gss = k.paths().simulated(k.abi(), ParamPaths.RSC_DOWNCALL).getParent();
        try (var s = Files.list(gss)) {
            for (Path f : s.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(gss);
        Files.createSymbolicLink(gss, elsewhere);
        LskException e = assertThrows(LskException.class, () -> k.param(ParamPaths.RSC_DOWNCALL, ChannelNative.load()));
        assertTrue(e.getMessage().contains(gss + " is a symbolic link"), e.getMessage());
    }

    @Test
    void aRootOrDirectoryWritableByOthersIsRefusedByName() throws Exception {
        Path root = tmp.resolve("root");
        LustreKernel k = tree(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        LskException e = assertThrows(LskException.class, () -> k.param(ParamPaths.RSI_DOWNCALL, ChannelNative.load()));
        assertTrue(e.getMessage().startsWith("parameter root " + root + ": " + root + " is writable by group or others"
                + " (mode 0777)"), e.getMessage());
        assertEquals(Errno.EPERM, e.errno());
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path gss = k.paths().simulated(k.abi(), ParamPaths.RSI_DOWNCALL).getParent();
        Files.setPosixFilePermissions(gss, PosixFilePermissions.fromString("rwxrwxr-x"));
        e = assertThrows(LskException.class, () -> k.param(ParamPaths.RSI_DOWNCALL, ChannelNative.load()));
        assertTrue(e.getMessage().contains(gss + " is writable by group or others (mode 0775)"), e.getMessage());
        Files.setPosixFilePermissions(gss, PosixFilePermissions.fromString("rwxr-xr-x"));
        k.param(ParamPaths.RSI_DOWNCALL, ChannelNative.load());
    }

    @Test
    void aDirectoryAboveTheRootWritableByOthersIsRefusedUnlessSticky() throws Exception {
        Path above = tmp.resolve("shared");
        LustreKernel k = tree(above.resolve("root"));
        Files.setPosixFilePermissions(above, PosixFilePermissions.fromString("rwxrwxrwx"));
        LskException e = assertThrows(LskException.class, () -> k.param(ParamPaths.RSI_DOWNCALL, ChannelNative.load()));
        assertTrue(e.getMessage().contains(above + " is writable by group or others"), e.getMessage());
        Files.setAttribute(above, "unix:mode", 01777); // as /tmp: others cannot move root's dir away
        k.param(ParamPaths.RSI_DOWNCALL, ChannelNative.load());
    }

    /** A user's own directory as the root, a link planted in it by that user: refused, root's file untouched. */
    @Test
    void aRootOwnedByAnotherUserIsRefused() throws Exception {
        assumeTrue(LocalUser.available(), "needs root, useradd and setpriv");
        Path victim = victim();
        try (LocalUser u = LocalUser.create()) {
            Path root = tmp.resolve("users-root");
            LustreKernel k = tree(root);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path rsc = k.paths().simulated(k.abi(), ParamPaths.RSC_DOWNCALL);
            Files.delete(rsc);
            for (Path d = rsc.getParent(); d.startsWith(root); d = d.getParent()) {
                Files.setAttribute(d, "unix:uid", u.uid());
            }
            LocalUser.Result ln = u.exec("ln", "-s", victim.toString(), rsc.toString());
            assertEquals(0, ln.exit(), ln.output());
            LskException e = assertThrows(LskException.class, () -> k.param(ParamPaths.RSC_DOWNCALL,
                    ChannelNative.load()));
            assertTrue(e.getMessage().contains(root + " is owned by uid " + u.uid() + ", not root"), e.getMessage());
            assertEquals(VICTIM, Files.readString(victim));
        }
    }

    @Test
    void theRealRootIsNotChecked() throws Exception {
        ParamPaths.system().checkTrusted(Path.of("/proc/fs/lustre/sptlrpc/gss/rsc_info"));
    }

    @Test
    void theShimWritesOnlyRegularFilesAndFifos() throws Exception {
        ChannelNative shim = ChannelNative.load();
        assertEquals(-22, shim.lsk_downcall_write("/dev/null", DOWNCALL, DOWNCALL.length), "a device is refused");
    }

    @Test
    void simulatedKernelRefusesALinkedOrWritableRoot() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        LskException e = assertThrows(LskException.class, () -> SimKernel.start(config(link), m -> { }));
        assertTrue(e.getMessage().contains(link + " is a symbolic link"), e.getMessage());
        assertTrue(isEmpty(real), "nothing created through the link");

        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxrwxrwx"));
        e = assertThrows(LskException.class, () -> SimKernel.start(config(real), m -> { }));
        assertTrue(e.getMessage().contains(real + " is writable by group or others (mode 0777)"), e.getMessage());
        assertTrue(isEmpty(real));

        for (Path root : List.of(link, real)) {
            String[] r = simkernel(root);
            assertEquals("1", r[0]);
            assertTrue(r[1].startsWith("simkernel: simulated kernel root " + root + ": ") && r[1].contains("refused"),
                    r[1]);
        }
    }

    /** A link left in an existing tree (the version file here) is refused before anything is written. */
    @Test
    void simulatedKernelCreatesItsFilesWithoutFollowingLinks() throws Exception {
        Path root = tmp.resolve("root");
        Path victim = victim();
        Path version = LustreKernel.versionFile(new ParamPaths(root));
        Files.createDirectories(version.getParent());
        Files.createSymbolicLink(version, victim);
        LskException e = assertThrows(LskException.class, () -> SimKernel.start(config(root), m -> { }));
        assertTrue(e.getMessage().contains(version + " is a symbolic link"), e.getMessage());
        assertEquals(VICTIM, Files.readString(victim));

        Files.delete(version);
        try (SimKernel k = SimKernel.start(config(root), m -> { })) {
            assertEquals(SimKernel.NEWEST + "\n", Files.readString(version));
            assertFalse(Files.isSymbolicLink(version));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    k.paths().simulated(k.kernel().abi(), ParamPaths.RSC_DOWNCALL).getParent())));
        }
    }

    private SimKernel.Config config(Path root) {
        return new SimKernel.Config(root, SimKernel.NEWEST, tmp.resolve("sock"), 0L, "default", Duration.ofSeconds(5));
    }

    private static boolean isEmpty(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return s.findAny().isEmpty();
        }
    }

    private String[] simkernel(Path root) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Io io = new Io(InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), tmp, Map.of());
        int rc = new SimKernelCommand().run(List.of("--root", root.toString(), "--socket",
                tmp.resolve("sock").toString()), io);
        return new String[] {Integer.toString(rc), err.toString(StandardCharsets.UTF_8)};
    }
}
