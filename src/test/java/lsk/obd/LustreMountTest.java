package lsk.obd;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import lsk.base.LskException;
import lsk.kernel.ParamPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On this machine no directory is a Lustre mount: the ioctls fail as they do for C. */
class LustreMountTest {
    @TempDir
    Path tmp;

    final LustreMount mount = new LustreMount(ObdIoctlLayoutTest.SHIM, "lgss_sk");

    @Test
    void nonLustreDirectoryFailsAsC() {
        LustreMount.Failure f = assertThrows(LustreMount.Failure.class, () -> mount.fsname("d", tmp));
        assertEquals("lgss_sk: cannot get lov name: Inappropriate ioctl for device (25)\n"
                + "Cannot get Lustre fsname for d: rc=-25\n", f.text());
        assertEquals(-25, f.rc());
    }

    @Test
    void missingDirectory() {
        LustreMount.Failure f = assertThrows(LustreMount.Failure.class,
                () -> mount.fsname("/mnt/nowhere", tmp.resolve("nowhere")));
        assertEquals("lgss_sk: cannot open '/mnt/nowhere': No such file or directory (2)\n"
                + "Cannot get Lustre fsname for /mnt/nowhere: rc=-2\n", f.text());
    }

    @Test
    void symlinkAndFileAreRefused() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp);
        LustreMount.Failure f = assertThrows(LustreMount.Failure.class, () -> mount.fsname("link", link));
        // O_DIRECTORY | O_NOFOLLOW on a link: Linux says ENOTDIR (C would have followed it).
        assertEquals("lgss_sk: cannot open 'link': Not a directory (20)\n"
                + "lgss_sk: -u needs the mount point itself (lsk opens it as a directory, never through a"
                + " symbolic link)\nCannot get Lustre fsname for link: rc=-20\n", f.text());
        Path file = Files.writeString(tmp.resolve("f"), "x");
        assertEquals(-20, assertThrows(LustreMount.Failure.class, () -> mount.fsname("f", file)).rc());
    }

    @Test
    void clientUuidOfNonLustreDirectory() {
        LustreMount.Failure f = assertThrows(LustreMount.Failure.class,
                () -> mount.clientUuidFor("tank", "d", tmp, new ParamPaths(tmp)));
        assertEquals(-25, f.rc());
        LustreMount.Failure g = assertThrows(LustreMount.Failure.class,
                () -> mount.clientUuid("d", tmp, new ParamPaths(tmp)));
        assertEquals("lgss_sk: error: can't get lmv name.: Inappropriate ioctl for device (25)\n"
                + "Cannot get Lustre client uuid for d: rc=-25\n", g.text());
    }

    @Test
    void lovNames() {
        assertEquals(Optional.of("tank"), LustreMount.splitLov("tank-clilov-ffff8881a2b4c000"));
        assertEquals(Optional.of("fs-foo"), LustreMount.splitLov("fs-foo-clilov-ffff8881a2b4c000"));
        assertEquals(Optional.of(""), LustreMount.splitLov("-clilov-x"));
        assertEquals(Optional.empty(), LustreMount.splitLov("tank-clilmv-ffff8881a2b4c000"));
    }

    @Test
    void uuidParameter() throws Exception {
        ParamPaths params = new ParamPaths(tmp);
        Path d = Files.createDirectories(tmp.resolve("sys/fs/lustre/lmv/tank-clilmv-ffff8881a2b4c000"));
        Files.writeString(d.resolve("uuid"), "8c0e9e3a-64b5-4f0e-9c2a-2f4f3c0d1e5b\n");
        assertEquals("8c0e9e3a-64b5-4f0e-9c2a-2f4f3c0d1e5b",
                LustreMount.readUuid(params, "tank-clilmv-ffff8881a2b4c000"));
        assertEquals(Errno.ENOENT, assertThrows(LskException.class,
                () -> LustreMount.readUuid(params, "tank-clilmv-0")).errno());
        assertEquals(Errno.EINVAL, assertThrows(LskException.class,
                () -> LustreMount.readUuid(params, "../lmv")).errno());
        for (String bad : new String[] {"", "\n", "a:b\n", "x".repeat(40) + "\n", "x".repeat(41), "a b\n"}) {
            Files.writeString(d.resolve("uuid"), bad);
            assertEquals(Errno.EINVAL, assertThrows(LskException.class,
                    () -> LustreMount.readUuid(params, "tank-clilmv-ffff8881a2b4c000")).errno(), bad);
        }
        Files.writeString(d.resolve("uuid"), "x".repeat(39));
        assertEquals("x".repeat(39), LustreMount.readUuid(params, "tank-clilmv-ffff8881a2b4c000"));
    }
}
