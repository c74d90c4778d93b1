package lsk.kernel;

import lsk.base.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import lsk.base.DecodeException;
import lsk.base.LskException;

/**
 * The Lustre kernel a command talks to: its parameter tree, its version and the
 * {@link KernelAbi} row that version implies. Every command that crosses the kernel boundary
 * starts from {@link #detect} and finds its files through {@link #param}.
 *
 * @param paths   the parameter root ({@code /}, or a simulated kernel's)
 * @param version the running version (from the version file, or as overridden)
 * @param abi     the layouts and locations of that version
 */
public record LustreKernel(ParamPaths paths, LustreVersion version, KernelAbi abi) {
    /** Longest version file accepted (the real one is a dozen bytes). */
    static final int MAX_VERSION_FILE = 256;

    public static LustreKernel of(ParamPaths paths, LustreVersion version) throws LskException {
        return new LustreKernel(paths, version, KernelAbi.of(version));
    }

    /**
     * The running kernel: version from {@code override} (a command's {@code --lustre-version}),
     * else env {@code LSK_LUSTRE_VERSION}, else {@code <root>/sys/fs/lustre/version}; never a
     * guess.
     */
    public static LustreKernel detect(ParamPaths paths, Map<String, String> env, String override) throws LskException {
        if (override != null) {
            return of(paths, version(override, "--lustre-version"));
        }
        String e = env.get(KernelAbi.ENV_VERSION);
        if (e != null && !e.isEmpty()) {
            return of(paths, version(e, KernelAbi.ENV_VERSION));
        }
        Path f = versionFile(paths);
        return of(paths, version(readVersionFile(f), f.toString()));
    }

    /** {@link LustreVersion#parse}; a string that is no version is EINVAL for the command. */
    public static LustreVersion version(String s, String source) throws LskException {
        try {
            return LustreVersion.parse(s, source);
        } catch (DecodeException e) {
            throw new LskException(e.getMessage(), Errno.EINVAL, e);
        }
    }

    public static Path versionFile(ParamPaths paths) {
        return paths.root().resolve(KernelAbi.Tree.SYSFS.base).resolve(KernelAbi.VERSION_PARAM);
    }

    private static String readVersionFile(Path f) throws LskException {
        try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
            byte[] b = in.readNBytes(MAX_VERSION_FILE + 1);
            if (b.length > MAX_VERSION_FILE) {
                throw new LskException(f + ": longer than " + MAX_VERSION_FILE + " bytes, not a version",
                        Errno.EINVAL);
            }
            String s = new String(b, StandardCharsets.US_ASCII);
            int nl = s.indexOf('\n');
            return nl >= 0 ? s.substring(0, nl) : s;
        } catch (NoSuchFileException ex) {
            throw new LskException("cannot tell the running Lustre version: " + f + " does not exist (is the"
                    + " Lustre module loaded?); name it with --lustre-version or " + KernelAbi.ENV_VERSION,
                    Errno.ENOENT);
        } catch (IOException ex) {
            throw new LskException("cannot read the running Lustre version from " + f + ": " + ex.getMessage(),
                    Errno.EIO, ex);
        }
    }

    /**
     * A parameter file of this kernel, where this version keeps it; mounts debugfs first on the
     * real root when the parameter lives there. Under a simulated root, only from a tree nobody
     * else can change ({@link ParamPaths#checkTrusted}): root writes downcalls, session keys
     * included, to what this returns.
     */
    public Path param(String name, Debugfs.Fs fs) throws LskException {
        if (abi.treeOf(name) == KernelAbi.Tree.DEBUGFS && paths.isSystem() && paths.find(name).isEmpty()) {
            Debugfs.ensureMounted(paths, fs);
        }
        Path p = paths.require(name, abi, version);
        paths.checkTrusted(p);
        return p;
    }

    /** {@link #param(String, Debugfs.Fs)} with the native shim's statfs and mount. */
    public Path param(String name, ChannelNative shim) throws LskException {
        return param(name, Debugfs.Fs.of(shim));
    }

    @Override
    public String toString() {
        return "Lustre " + version + " (" + abi.range + ")";
    }
}
