package lsk.kernel;

import lsk.base.Errno;
import java.util.List;
import java.util.Map;
import lsk.base.LskException;

/**
 * The kernel boundary of each Lustre line, one row per range of versions
 * (SK-PROTOCOL.md section 7, checked against the lustre-release sources; where they differ the
 * sources win: 2.16.x keeps rsi_info/rsc_info in debugfs, not procfs): which rsc downcall
 * header and {@code lgssd_ioctl_param} the kernel takes, how the negotiation status comes
 * back, how many callout fields the upcall gets, in which tree each parameter file lives and
 * when the rsc carries a nodemap name. Chosen by version only ({@link #of}): the rsc magic did
 * not change with its layout, so bytes cannot tell.
 *
 * <p>2.15.x servers speak another protocol ({@link Server#CACHE_CHANNELS}, {@link CacheChannelLines}):
 * no rsi/rsc downcall files, no rsi_upcall, no l_getauth; its client side is 2.16.x's.
 */
public enum KernelAbi {
    /**
     * 2.15.0 - 2.15.58: Lustre 2.15.x LTS. Client as 2.16.x (80-byte lgssd_ioctl_param with the
     * secid field, copied back; init_channel in debugfs; 11 callout fields: SK-PROTOCOL.md section
     * 7, gss_cli_upcall.c index id 87811837); server on the sunrpc cache channels.
     */
    V2_15("2.15.x", LustreVersion.of(2, 15, 0), RscHeader.TEXT, IoctlParam.P80_STATUS_COPIED_BACK, 11,
            Tree.DEBUGFS, null, NodemapName.NEVER),
    /** 2.15.59 - 2.16.58: Lustre 2.16.x. */
    V2_16("2.16.x", LustreVersion.of(2, 15, 59), RscHeader.H48, IoctlParam.P80_STATUS_COPIED_BACK, 11,
            Tree.DEBUGFS, Tree.DEBUGFS, NodemapName.NEVER),
    /** 2.16.59 - 2.17.50: Lustre 2.17.0. */
    V2_17_0("2.16.59-2.17.50", LustreVersion.of(2, 16, 59), RscHeader.H48, IoctlParam.P72_STATUS_POINTER, 11,
            Tree.SYSFS, Tree.DEBUGFS, NodemapName.NEVER),
    /** 2.17.51 - 2.17.53: the 72-byte rsc header; the name only after a lookup by SHA. */
    V2_17_51("2.17.51-2.17.53", LustreVersion.of(2, 17, 51), RscHeader.H72, IoctlParam.P72_STATUS_POINTER, 11,
            Tree.SYSFS, Tree.DEBUGFS, NodemapName.AFTER_SHA_LOOKUP),
    /** 2.17.54 and later (master): the client UUID as a 12th callout field, nodemap name always. */
    V2_17_54("2.17.54+", LustreVersion.of(2, 17, 54), RscHeader.H72, IoctlParam.P72_STATUS_POINTER, 12,
            Tree.SYSFS, Tree.DEBUGFS, NodemapName.ALWAYS);

    /** Environment variable that names the running version instead of the version file. */
    public static final String ENV_VERSION = "LSK_LUSTRE_VERSION";
    /** The version parameter (sysfs). */
    public static final String VERSION_PARAM = "version";

    /** Where a parameter tree is mounted, relative to the parameter root. */
    public enum Tree {
        PROCFS("proc/fs/lustre"), SYSFS("sys/fs/lustre"), DEBUGFS("sys/kernel/debug/lustre");

        public final String base;

        Tree(String base) {
            this.base = base;
        }
    }

    /** {@code struct rsc_downcall_data}: bytes before the handle/context (value) part. */
    public enum RscHeader {
        /** magic, err, flags, mapped uid, uid, gid, mech[8], offset s64 at 32, len at 40. */
        H48(48),
        /** as H48 up to 32, nodemap name at 32, offset s64 at 56, len at 64. */
        H72(72),
        /** 2.15.x: no struct, a text line on the context channel ({@link CacheChannelLines#rsc}). */
        TEXT(0);

        public final int size;

        RscHeader(int size) {
            this.size = size;
        }
    }

    /** {@code struct lgssd_ioctl_param} written to init_channel. */
    public enum IoctlParam {
        /** 80 bytes: s64 status value at 64, u64 reply length at 72, struct copied back by the kernel. */
        P80_STATUS_COPIED_BACK(80),
        /** 72 bytes: a pointer to the caller's s64 status at 64. */
        P72_STATUS_POINTER(72);

        public final int size;

        IoctlParam(int size) {
            this.size = size;
        }
    }

    /** How the server's kernel hands SEC_CTX_INIT requests to the daemon. */
    public enum Server {
        /** 2.15.x: /proc/net/rpc/auth.sptlrpc.{init,context}/channel, text lines. */
        CACHE_CHANNELS,
        /** 2.15.59 and later: l_getauth to the daemon's socket, rsi_info/rsc_info downcalls. */
        UPCALL_SOCKET
    }

    /** When the rsc downcall carries the nodemap name. */
    public enum NodemapName { NEVER, AFTER_SHA_LOOKUP, ALWAYS }

    public final String range;
    public final LustreVersion from;
    public final RscHeader rscHeader;
    public final IoctlParam ioctlParam;
    public final int calloutFields;
    private final Tree clientTree;
    private final Tree downcallTree;
    public final NodemapName nodemapName;

    KernelAbi(String range, LustreVersion from, RscHeader rscHeader, IoctlParam ioctlParam, int calloutFields,
              Tree clientTree, Tree downcallTree, NodemapName nodemapName) {
        this.range = range;
        this.from = from;
        this.rscHeader = rscHeader;
        this.ioctlParam = ioctlParam;
        this.calloutFields = calloutFields;
        this.clientTree = clientTree;
        this.downcallTree = downcallTree;
        this.nodemapName = nodemapName;
    }

    /** The profile of a running version; versions before 2.15.0, and unknown majors, are refused. */
    public static KernelAbi of(LustreVersion v) throws LskException {
        if (v.compareTo(V2_15.from) < 0) {
            throw new LskException("Lustre " + v + " is not supported: lsk supports 2.15.0 (2.15.x LTS) and later",
                    Errno.EOPNOTSUPP);
        }
        if (v.major() != 2) {
            throw new LskException("Lustre " + v + " is newer than any version lsk knows (2.x)",
                    Errno.EOPNOTSUPP);
        }
        KernelAbi found = V2_15;
        for (KernelAbi a : values()) {
            if (v.compareTo(a.from) >= 0) {
                found = a;
            }
        }
        return found;
    }

    /** How this version's server kernel talks to the daemon. */
    public Server server() {
        return downcallTree == null ? Server.CACHE_CHANNELS : Server.UPCALL_SOCKET;
    }

    /**
     * The tree that holds {@code param} (a path under the Lustre tree, e.g. {@code sptlrpc/gss/rsi_info});
     * IllegalArgumentException for a parameter this version does not have.
     */
    public Tree treeOf(String param) {
        return switch (param) {
            case ParamPaths.RSI_DOWNCALL, ParamPaths.RSC_DOWNCALL, ParamPaths.RSI_UPCALL -> {
                if (downcallTree == null) {
                    throw new IllegalArgumentException("Lustre " + range + " has no " + param
                            + ": its server uses the sunrpc cache channels");
                }
                yield downcallTree;
            }
            case ParamPaths.INIT_CHANNEL, ParamPaths.KEYRING_DEBUG_LEVEL -> clientTree;
            case VERSION_PARAM -> Tree.SYSFS;
            default -> throw new IllegalArgumentException("no known tree for parameter " + param);
        };
    }

    /** Whether the rsc header has a nodemap field at all. */
    public boolean rscHasNodemap() {
        return rscHeader == RscHeader.H72;
    }

    /** The parameters this table places (for a simulated kernel's tree and for doctor-style checks). */
    public static List<String> placedParams() {
        return List.of(ParamPaths.INIT_CHANNEL, ParamPaths.KEYRING_DEBUG_LEVEL, ParamPaths.RSI_DOWNCALL,
                ParamPaths.RSC_DOWNCALL, ParamPaths.RSI_UPCALL);
    }

    /** The parameters this version has (2.15.x: the client's only). */
    public List<String> params() {
        return server() == Server.CACHE_CHANNELS ? List.of(ParamPaths.INIT_CHANNEL, ParamPaths.KEYRING_DEBUG_LEVEL)
                : placedParams();
    }

    /** One line per fact, for {@code --help}-style listings and logs. */
    public Map<String, String> describe() {
        boolean channels = server() == Server.CACHE_CHANNELS;
        return Map.of("versions", range,
                "rsc header", channels ? "none (text line on the context channel)" : rscHeader.size + " bytes",
                "lgssd_ioctl_param", ioctlParam.size + " bytes", "callout fields", Integer.toString(calloutFields),
                "init_channel", treeOf(ParamPaths.INIT_CHANNEL).base,
                "rsi/rsc_info", channels ? "none" : downcallTree.base,
                "rsc nodemap name", nodemapName.name().toLowerCase(),
                "server requests", channels ? "/" + CacheChannelLines.INIT_CHANNEL + ", answers also to /"
                        + CacheChannelLines.CONTEXT_CHANNEL : "l_getauth to the lsvcgssd socket (rsi_upcall in "
                        + downcallTree.base + ")");
    }
}
