package lsk.kernel;

import lsk.base.Errno;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lsk.base.LskException;

/**
 * Finds Lustre parameter files as {@code cfs_get_param_paths} does: under /proc/fs/lustre,
 * /sys/fs/lustre, /sys/kernel/debug/lnet and /sys/kernel/debug/lustre (each file exists in one
 * tree only, so the order only matters for a broken tree). A root other than {@code /} (env
 * {@code LSK_PARAM_ROOT} or an option) puts the same trees under another directory: that is
 * all a simulated kernel changes. On the real root, debugfs is mounted first when it is not
 * ({@link Debugfs}), as the C tools do.
 */
public record ParamPaths(Path root) {
    public static final String ENV_ROOT = "LSK_PARAM_ROOT";
    /** Searched in this order, relative to the root. */
    public static final List<String> BASES = List.of("proc/fs/lustre", "sys/fs/lustre", "sys/kernel/debug/lnet",
            "sys/kernel/debug/lustre");

    public static final String INIT_CHANNEL = "sptlrpc/gss/init_channel";
    public static final String RSI_DOWNCALL = "sptlrpc/gss/rsi_info";
    public static final String RSC_DOWNCALL = "sptlrpc/gss/rsc_info";
    public static final String RSI_UPCALL = "sptlrpc/gss/rsi_upcall";
    public static final String KEYRING_DEBUG_LEVEL = "sptlrpc/gss/lgss_keyring/debug_level";

    public static ParamPaths system() {
        return new ParamPaths(Path.of("/"));
    }

    /** The root named by {@code LSK_PARAM_ROOT}, else {@code /}. */
    public static ParamPaths fromEnv(Map<String, String> env) {
        String r = env.get(ENV_ROOT);
        return r == null || r.isEmpty() ? system() : new ParamPaths(Path.of(r).toAbsolutePath());
    }

    /** The real system's tree (not a simulated kernel's). */
    public boolean isSystem() {
        return root.equals(Path.of("/"));
    }

    /** The first base under which {@code param} exists (any file type, links not followed). */
    public Optional<Path> find(String param) {
        if (param.startsWith("/") || Path.of(param).normalize().startsWith("..")) {
            throw new IllegalArgumentException("parameter must be relative: " + param);
        }
        for (String base : BASES) {
            Path p = root.resolve(base).resolve(param);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public Path require(String param) throws LskException {
        return find(param).orElseThrow(() -> new LskException("Lustre parameter " + param + " not found under "
                + root + " (" + String.join(", ", BASES) + "); is the Lustre ptlrpc_gss module loaded?",
                Errno.ENOENT));
    }

    /**
     * The parameter where the running version's kernel puts it, else a clear error that says
     * where it should be (and, for debugfs, whether debugfs is there at all).
     */
    public Path require(String param, KernelAbi abi, LustreVersion version) throws LskException {
        Optional<Path> p = find(param);
        if (p.isPresent()) {
            return p.get();
        }
        KernelAbi.Tree tree = abi.treeOf(param);
        Path where = root.resolve(tree.base).resolve(param);
        String why = "";
        if (tree == KernelAbi.Tree.DEBUGFS && !Files.isDirectory(root.resolve(tree.base), LinkOption.NOFOLLOW_LINKS)) {
            why = "; " + root.resolve(Debugfs.MOUNT_POINT) + " holds no Lustre tree: is debugfs mounted there"
                    + " (mount -t debugfs none /sys/kernel/debug)?";
        } else {
            why = "; is the Lustre ptlrpc_gss module loaded?";
        }
        throw new LskException("Lustre parameter " + param + " not found: Lustre " + version + " ("
                + abi.range + ") keeps it in " + tree.name().toLowerCase() + " at " + where + why,
                Errno.ENOENT);
    }

    /**
     * Refuses to let root write through {@code param} (a file under this root) when someone
     * else could have put a link or another file there: under a simulated root, the root and
     * every directory down to the file must be root's (or this user's) and not writable by
     * group or others, the file must not be a symbolic link, and the directories above the
     * root must not be writable by others (a sticky /tmp is fine). The real root's procfs,
     * sysfs and debugfs trees are the kernel's own and are not checked.
     */
    public void checkTrusted(Path param) throws LskException {
        if (!isSystem()) {
            TrustedPath.checkTree(root, param, TrustedPath.Above.STICKY_OK, "parameter root " + root);
        }
    }

    /** Where a simulated kernel of that ABI creates {@code param}. */
    public Path simulated(KernelAbi abi, String param) {
        return root.resolve(abi.treeOf(param).base).resolve(param);
    }
}
