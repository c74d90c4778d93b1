package lsk.doctor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lsk.base.LskException;
import lsk.kernel.ParamPaths;
import lsk.kernel.TrustedPath;
import lsk.sk.KeyNames;

/**
 * The node under check: where its files are and who is asking. The real node is
 * {@link #system}; tests put {@code /etc}, {@code /run} and {@code /usr} under a directory of
 * their own ({@code fsRoot}) and the kernel's parameter files under a simulated kernel's root.
 *
 * @param fsRoot    what {@code /} means for /etc, /run, /usr (the real root on a node)
 * @param params    the kernel's parameter trees ({@code LSK_PARAM_ROOT} for a simulated kernel)
 * @param proc      the kernel's /proc (keys, Unix sockets, processes): always the running kernel's
 * @param skPaths   key files or directories named on the command line; empty: the defaults
 * @param keyPrefix the keyring descriptions checked ({@code lustre:}; tests narrow it to their own)
 * @param javaFeature the runtime's feature release (17 for JDK 17)
 * @param javaVersion the runtime's full version, for the message
 * @param euid      who runs the checks; most need root
 */
public record Node(Path fsRoot, ParamPaths params, Path proc, List<Path> skPaths, String keyPrefix,
                   int javaFeature, String javaVersion, int euid) {
    /** The runtime lsk is built for (maven.compiler.release). */
    public static final int JAVA_NEEDED = 17;

    public Node {
        skPaths = List.copyOf(skPaths);
    }

    /** This machine, with {@code LSK_PARAM_ROOT} from {@code env} as every lsk command honours it. */
    public static Node system(Map<String, String> env, List<Path> skPaths) throws LskException {
        Runtime.Version v = Runtime.version();
        return new Node(Path.of("/"), ParamPaths.fromEnv(env), Path.of("/proc"), skPaths, KeyNames.PREFIX,
                v.feature(), v.toString() + " (" + System.getProperty("java.home") + ")", TrustedPath.effectiveUid());
    }

    /** {@code absolute} (a path as the node names it, e.g. /etc/request-key.conf) under {@link #fsRoot}. */
    public Path fs(String absolute) {
        return fs(Path.of(absolute));
    }

    public Path fs(Path absolute) {
        Path rel = Path.of("/").relativize(absolute.toAbsolutePath().normalize());
        return fsRoot.resolve(rel.toString());
    }

    /** The node's own name for a path under {@link #fsRoot} (for messages and fixes). */
    public String named(Path underRoot) {
        Path p = underRoot.toAbsolutePath().normalize();
        return p.startsWith(fsRoot) ? "/" + fsRoot.relativize(p) : p.toString();
    }

    public boolean isRoot() {
        return euid == 0;
    }

    public Node withJava(int feature, String version) {
        return new Node(fsRoot, params, proc, skPaths, keyPrefix, feature, version, euid);
    }

    public Node withProc(Path procDir) {
        return new Node(fsRoot, params, procDir, skPaths, keyPrefix, javaFeature, javaVersion, euid);
    }

    public Node withEuid(int uid) {
        return new Node(fsRoot, params, proc, skPaths, keyPrefix, javaFeature, javaVersion, uid);
    }

    public Node withSkPaths(List<Path> paths) {
        return new Node(fsRoot, params, proc, paths, keyPrefix, javaFeature, javaVersion, euid);
    }
}
