package lsk.kernel;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lsk.LskException;

/**
 * Finds Lustre parameter files as {@code cfs_get_param_paths} does: the first of
 * /sys/fs/lustre, /sys/kernel/debug/lustre, /proc/fs/lustre that holds the parameter. A root
 * other than {@code /} (env {@code LSK_PARAM_ROOT} or an option) puts the same three trees
 * under another directory: that is all a simulated kernel changes.
 */
public record ParamPaths(Path root) {
    public static final String ENV_ROOT = "LSK_PARAM_ROOT";
    /** Searched in this order, relative to the root. */
    public static final List<String> BASES = List.of("sys/fs/lustre", "sys/kernel/debug/lustre", "proc/fs/lustre");

    public static final String INIT_CHANNEL = "sptlrpc/gss/init_channel";
    public static final String RSI_DOWNCALL = "sptlrpc/gss/rsi_info";
    public static final String RSC_DOWNCALL = "sptlrpc/gss/rsc_info";
    public static final String KEYRING_DEBUG_LEVEL = "sptlrpc/gss/lgss_keyring/debug_level";

    public static ParamPaths system() {
        return new ParamPaths(Path.of("/"));
    }

    /** The root named by {@code LSK_PARAM_ROOT}, else {@code /}. */
    public static ParamPaths fromEnv(Map<String, String> env) {
        String r = env.get(ENV_ROOT);
        return r == null || r.isEmpty() ? system() : new ParamPaths(Path.of(r).toAbsolutePath());
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
                LskException.Errno.ENOENT));
    }

    /** Where a simulated kernel creates its files: the first base. */
    public Path simulatedBase() {
        return root.resolve(BASES.get(0));
    }
}
