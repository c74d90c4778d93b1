package lsk.kernel;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lsk.base.LskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version detection, parameter placement and the debugfs mount, on trees made here. */
class LustreKernelTest {
    @TempDir
    Path root;

    private void version(String text) throws Exception {
        Path f = root.resolve("sys/fs/lustre/version");
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @Test
    void readsTheVersionFileUnderTheParameterRoot() throws Exception {
        version("2.16.1\n");
        LustreKernel k = LustreKernel.detect(new ParamPaths(root), Map.of(), null);
        assertEquals(KernelAbi.V2_16, k.abi());
        assertEquals("2.16.1", k.version().toString());
    }

    @Test
    void optionBeatsEnvironmentBeatsFile() throws Exception {
        version("2.16.1\n");
        ParamPaths p = new ParamPaths(root);
        Map<String, String> env = Map.of(KernelAbi.ENV_VERSION, "2.17.0");
        assertEquals(KernelAbi.V2_17_0, LustreKernel.detect(p, env, null).abi());
        assertEquals(KernelAbi.V2_17_54, LustreKernel.detect(p, env, "2.17.54").abi());
        assertEquals(KernelAbi.V2_16, LustreKernel.detect(p, Map.of(KernelAbi.ENV_VERSION, ""), null).abi());
    }

    @Test
    void missingVersionFileIsAnErrorNamingIt() {
        LskException e = assertThrows(LskException.class,
                () -> LustreKernel.detect(new ParamPaths(root), Map.of(), null));
        assertTrue(e.getMessage().contains(root.resolve("sys/fs/lustre/version").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("--lustre-version"), e.getMessage());
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void unparsableOrHugeVersionFileIsAnErrorNamingIt() throws Exception {
        version("in-kernel\n");
        LskException e = assertThrows(LskException.class,
                () -> LustreKernel.detect(new ParamPaths(root), Map.of(), null));
        assertTrue(e.getMessage().startsWith(root.resolve("sys/fs/lustre/version") + ": 'in-kernel'"), e.getMessage());
        version("2.16.1" + " ".repeat(300));
        assertThrows(LskException.class, () -> LustreKernel.detect(new ParamPaths(root), Map.of(), null));
    }

    @Test
    void versionFileBehindALinkIsNotFollowed() throws Exception {
        Path real = Files.writeString(root.resolve("elsewhere"), "2.16.1\n");
        Files.createDirectories(root.resolve("sys/fs/lustre"));
        Files.createSymbolicLink(root.resolve("sys/fs/lustre/version"), real);
        assertThrows(LskException.class, () -> LustreKernel.detect(new ParamPaths(root), Map.of(), null));
    }

    @Test
    void the215LineIsDetectedAndOlderRefused() throws Exception {
        version("2.15.8\n");
        assertEquals(KernelAbi.V2_15, LustreKernel.detect(new ParamPaths(root), Map.of(), null).abi());
        version("2.14.0\n");
        LskException e = assertThrows(LskException.class,
                () -> LustreKernel.detect(new ParamPaths(root), Map.of(), null));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
    }

    @Test
    void findsEachParameterWhereItsVersionKeepsItAndSaysWhereOtherwise() throws Exception {
        LustreKernel k = LustreKernel.of(new ParamPaths(root), LustreVersion.of(2, 17, 0));
        Debugfs.Fs never = new Debugfs.Fs() {
            @Override public long statfsMagic(String path) { throw new AssertionError("simulated root: no statfs"); }
            @Override public long mountDebugfs(String target) { throw new AssertionError("simulated root: no mount"); }
        };
        LskException e = assertThrows(LskException.class, () -> k.param(ParamPaths.RSI_DOWNCALL, never));
        assertTrue(e.getMessage().contains("debugfs") && e.getMessage().contains("2.17.0")
                && e.getMessage().contains(root.resolve("sys/kernel/debug/lustre/sptlrpc/gss/rsi_info").toString())
                && e.getMessage().contains("mount -t debugfs"), e.getMessage());
        Path rsi = k.paths().simulated(k.abi(), ParamPaths.RSI_DOWNCALL);
        Files.createDirectories(rsi.getParent());
        Files.createFile(rsi);
        assertEquals(rsi, k.param(ParamPaths.RSI_DOWNCALL, never));
        LskException ic = assertThrows(LskException.class, () -> k.param(ParamPaths.INIT_CHANNEL, never));
        assertTrue(ic.getMessage().contains("sysfs at " + root.resolve("sys/fs/lustre/sptlrpc/gss/init_channel")),
                ic.getMessage());
    }

    @Test
    void mountsDebugfsOnTheRealRootWhenItIsNotThere() throws Exception {
        List<String> calls = new ArrayList<>();
        Debugfs.Fs notMounted = new Debugfs.Fs() {
            @Override public long statfsMagic(String path) { calls.add("statfs " + path); return 0x9123683EL; }
            @Override public long mountDebugfs(String target) { calls.add("mount " + target); return 0; }
        };
        assertTrue(Debugfs.ensureMounted(ParamPaths.system(), notMounted));
        assertEquals(List.of("statfs /sys/kernel/debug", "mount /sys/kernel/debug"), calls);

        calls.clear();
        Debugfs.Fs mounted = new Debugfs.Fs() {
            @Override public long statfsMagic(String path) { calls.add("statfs"); return Debugfs.MAGIC; }
            @Override public long mountDebugfs(String target) { calls.add("mount"); return 0; }
        };
        assertFalse(Debugfs.ensureMounted(ParamPaths.system(), mounted));
        assertEquals(List.of("statfs"), calls);
        assertFalse(Debugfs.ensureMounted(new ParamPaths(root), notMounted), "a simulated root is never mounted on");
    }

    @Test
    void aFailedDebugfsMountSaysWhatToDo() {
        Debugfs.Fs denied = new Debugfs.Fs() {
            @Override public long statfsMagic(String path) { return 0x9123683EL; }
            @Override public long mountDebugfs(String target) { return -1; } // EPERM
        };
        LskException e = assertThrows(LskException.class, () -> Debugfs.ensureMounted(ParamPaths.system(), denied));
        assertTrue(e.getMessage().contains("mount -t debugfs none /sys/kernel/debug"), e.getMessage());
        assertEquals(1, e.errno());
    }

    @Test
    void searchOrderIsCfsGetParamPaths() {
        assertEquals(List.of("proc/fs/lustre", "sys/fs/lustre", "sys/kernel/debug/lnet", "sys/kernel/debug/lustre"),
                ParamPaths.BASES);
    }
}
