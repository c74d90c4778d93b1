package lsk.doctor;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.kernel.ChannelNative;
import lsk.kernel.Debugfs;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreKernel;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;

/**
 * The kernel side: the running Lustre version and the ABI lsk chooses for it, the parameter
 * files where that version keeps them, debugfs, and the server's {@code rsi_upcall} helper.
 */
final class KernelChecks {
    static final String VERSION = "lustre version", DEBUGFS = "debugfs", RSI_UPCALL = "rsi_upcall";
    /** The kernel takes a path up to PATH_MAX (lproc_gss.c, rsi_upcall_seq_write). */
    static final int MAX_UPCALL = 4096;
    private static final String GSS_MODULE = "load Lustre's GSS module (modprobe ptlrpc_gss)";

    private final Node node;

    KernelChecks(Node node) {
        this.node = node;
    }

    /** The version line, and the kernel profile when lsk supports that version. */
    Optional<LustreKernel> version(List<Finding> out) {
        ParamPaths params = node.params();
        Path f = LustreKernel.versionFile(params);
        String text;
        try {
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                out.add(Finding.problem(VERSION, f + " does not exist: no Lustre modules are loaded",
                        "load Lustre (modprobe lustre) and run lsk doctor again"));
                return Optional.empty();
            }
            text = FileFacts.readText(f, 256);
        } catch (IOException e) {
            out.add(Finding.problem(VERSION, "cannot read " + f + ": " + e.getMessage(), "check the Lustre modules"));
            return Optional.empty();
        }
        LustreVersion v;
        try {
            v = LustreKernel.version(text, f.toString());
        } catch (LskException e) {
            out.add(Finding.problem(VERSION, e.getMessage(), "reinstall Lustre: its version file is not one lsk can read"));
            return Optional.empty();
        }
        try {
            LustreKernel k = LustreKernel.of(params, v);
            out.add(Finding.ok(VERSION, "Lustre " + v + ": ABI " + k.abi().range + " " + new TreeMap<>(k.abi().describe())));
            return Optional.of(k);
        } catch (LskException e) {
            out.add(Finding.problem(VERSION, e.getMessage(),
                    "run a Lustre version lsk supports (lsk abi --all lists them), or Lustre's own C tools"));
            return Optional.empty();
        }
    }

    /** debugfs (when the version keeps anything there), then each parameter file lsk uses. */
    void params(LustreKernel k, List<Finding> out) {
        KernelAbi abi = k.abi();
        boolean usesDebugfs = KernelAbi.placedParams().stream().anyMatch(p -> tree(abi, p) == KernelAbi.Tree.DEBUGFS);
        Optional<String> debugfsDown = Optional.empty();
        if (usesDebugfs) {
            Finding d = debugfs(k);
            out.add(d);
            if (d.status() != Finding.Status.OK) {
                debugfsDown = Optional.of(d.isProblem() ? "debugfs is not mounted (see debugfs)" : d.detail());
            }
        } else {
            out.add(Finding.skip(DEBUGFS, "Lustre " + k.version() + " keeps no parameter lsk uses there"));
        }
        for (String p : KernelAbi.placedParams()) {
            String check = "parameter " + p;
            KernelAbi.Tree tree = tree(abi, p);
            if (tree == null) {
                out.add(Finding.skip(check, "Lustre " + k.version() + " has no such parameter"));
            } else if (tree == KernelAbi.Tree.DEBUGFS && debugfsDown.isPresent()) {
                out.add(Finding.skip(check, "kept in debugfs: " + debugfsDown.get()));
            } else {
                Optional<Path> found = k.paths().find(p);
                if (found.isPresent()) {
                    out.add(Finding.ok(check, found.get().toString()));
                } else {
                    out.add(Finding.problem(check, "not found: Lustre " + k.version() + " (" + abi.range + ") keeps it in "
                            + tree.name().toLowerCase() + " at " + k.paths().simulated(abi, p), GSS_MODULE));
                }
            }
        }
    }

    private static KernelAbi.Tree tree(KernelAbi abi, String p) {
        try {
            return abi.treeOf(p);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Mounted or not, never mounting it (the C tools and lsk's daemon mount it; doctor only looks). */
    private Finding debugfs(LustreKernel k) {
        ParamPaths params = k.paths();
        Path mp = params.root().resolve(Debugfs.MOUNT_POINT);
        String fix = "mount -t debugfs none /" + Debugfs.MOUNT_POINT + " (Lustre " + k.version() + " keeps "
                + "parameter files there; lsvcgssd would mount it, doctor does not)";
        if (!params.isSystem()) {
            return Files.isDirectory(mp, LinkOption.NOFOLLOW_LINKS) ? Finding.ok(DEBUGFS, mp + " (simulated tree)")
                    : Finding.problem(DEBUGFS, "not mounted: " + mp + " does not exist", fix);
        }
        long magic;
        try {
            magic = ChannelNative.load().lsk_statfs_magic(mp.toString());
        } catch (LskException | RuntimeException | LinkageError e) {
            return Finding.skip(DEBUGFS, "cannot load lsk's native shim to statfs " + mp + ": " + e.getMessage());
        }
        if (magic == Debugfs.MAGIC) {
            return Finding.ok(DEBUGFS, "mounted at " + mp);
        }
        if (magic == -Errno.EACCES || magic == -Errno.EPERM) {
            return Finding.skip(DEBUGFS, "needs root (" + mp + " is root's)");
        }
        return Finding.problem(DEBUGFS, magic < 0 ? "cannot statfs " + mp + ": errno " + -magic
                : "not mounted at " + mp + " (filesystem magic 0x" + Long.toHexString(magic) + ")", fix);
    }

    /** The helper a server kernel runs per SEC_CTX_INIT: it must exist and be root's alone. */
    void rsiUpcall(LustreKernel k, Role role, List<Finding> out) {
        if (!role.server()) {
            out.add(Finding.skip(RSI_UPCALL, role.why()));
            return;
        }
        if (tree(k.abi(), ParamPaths.RSI_UPCALL) == null) {
            out.add(Finding.skip(RSI_UPCALL, "Lustre " + k.version() + " has no rsi_upcall"));
            return;
        }
        Optional<Path> p = k.paths().find(ParamPaths.RSI_UPCALL);
        if (p.isEmpty()) {
            out.add(Finding.skip(RSI_UPCALL, "its parameter file is missing (see parameter " + ParamPaths.RSI_UPCALL + ")"));
            return;
        }
        String value;
        try {
            value = FileFacts.readText(p.get(), MAX_UPCALL).strip();
        } catch (AccessDeniedException e) {
            out.add(Finding.skip(RSI_UPCALL, "needs root (" + p.get() + ")"));
            return;
        } catch (IOException e) {
            out.add(Finding.problem(RSI_UPCALL, "cannot read " + p.get() + ": " + e.getMessage(), GSS_MODULE));
            return;
        }
        String setIt = "lctl set_param sptlrpc.gss.rsi_upcall=/usr/sbin/l_getauth with lsk's l_getauth installed there";
        if (value.isEmpty() || value.equals("NONE") || !value.startsWith("/")) {
            out.add(Finding.problem(RSI_UPCALL, "'" + value + "' names no program: the kernel cannot reach lsvcgssd", setIt));
            return;
        }
        try {
            Optional<String> bad = FileFacts.untrustedProgram(node, node.fs(value));
            if (bad.isEmpty()) {
                out.add(Finding.ok(RSI_UPCALL, value + " (exists, root's, writable by root only)"));
            } else if (bad.get().endsWith("does not exist")) {
                out.add(Finding.problem(RSI_UPCALL, value + ": " + bad.get(),
                        "install -m 0755 lsk's l_getauth (target/native/l_getauth) as " + value + ", or " + setIt));
            } else {
                out.add(Finding.problem(RSI_UPCALL, value + ": " + bad.get() + ": any user who can change it runs code as root",
                        "chown root:root and chmod go-w the path named, or " + setIt));
            }
        } catch (AccessDeniedException e) {
            out.add(Finding.skip(RSI_UPCALL, "needs root (" + e.getMessage() + ")"));
        } catch (IOException e) {
            out.add(Finding.problem(RSI_UPCALL, value + ": " + e.getMessage(), setIt));
        }
    }
}
