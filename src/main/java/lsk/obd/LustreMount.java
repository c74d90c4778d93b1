package lsk.obd;

import lsk.base.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import lsk.base.LskException;
import lsk.kernel.ParamPaths;

/**
 * What {@code lgss_sk -l KEY -u DIR} needs from a Lustre client mount: its fsname and its
 * client UUID, read as liblustreapi reads them.
 *
 * <ul>
 * <li>fsname ({@code llapi_get_fsname}): {@code OBD_IOC_GETDTNAME} (before 2.14.52
 *     {@code OBD_IOC_GETNAME}, tried on ENOTTY) on the open directory gives the LOV device
 *     name {@code <fsname>-clilov-<instance>}, split at {@code -clilov-}. Messages on failure are
 *     liblustreapi's and the C tool's, byte for byte (shared/vectors/lgss_sk_parity case
 *     l19_update_nonlustre).</li>
 * <li>client UUID ({@code llapi_get_agent_uuid}): {@code OBD_IOC_GETMDNAME} gives the LMV
 *     device name, and its parameter {@code lmv/<name>/uuid} the UUID every client device of
 *     the mount carries (llite hands its superblock UUID to the mount's config log). Which
 *     liblustreapi call the C tool uses here was not in the sources read; its messages for
 *     this step, and for an fsname that differs from the key's, are lsk's.</li>
 * </ul>
 * Unlike liblustreapi the directory is never opened through a symbolic link (root runs this).
 */
public final class LustreMount {
    public static final String LOV_SEPARATOR = "-clilov-";
    /** {@code struct obd_uuid} holds 40 bytes with the NUL. */
    static final int UUID_MAX = 39;
    static final int ENOTDIR = 20;
    static final int ENOTTY = 25;
    static final int ELOOP = 40;

    /** A step that failed: the lines to print (liblustreapi's, then the tool's) and -errno. */
    public static final class Failure extends Exception {
        private final int rc;

        public Failure(String text, int rc) {
            super(text);
            this.rc = rc;
        }

        /** Negative errno. */
        public int rc() {
            return rc;
        }

        /** Complete lines, each ending in a newline. */
        public String text() {
            return getMessage();
        }
    }

    private final ObdNative shim;
    private final String prog;

    /** @param prog the program's short name (C's {@code program_invocation_short_name}) */
    public LustreMount(ObdNative shim, String prog) {
        this.shim = shim;
        this.prog = prog;
    }

    /** The fsname of the mount at {@code dir} ({@code arg} as the user wrote it, for messages). */
    public String fsname(String arg, Path dir) throws Failure {
        String lov;
        try {
            lov = deviceName(arg, dir, ObdNative.MOUNT_LOV, "cannot open '" + arg + "'", "cannot get lov name");
        } catch (Failure f) {
            throw new Failure(f.text() + fsnameLine(arg, f.rc()), f.rc());
        }
        Optional<String> fs = splitLov(lov);
        if (fs.isEmpty()) {
            throw new Failure(fsnameLine(arg, -Errno.EINVAL), -Errno.EINVAL);
        }
        return fs.get();
    }

    /** The client UUID of the mount at {@code dir}, from its LMV device's {@code uuid} parameter. */
    public String clientUuid(String arg, Path dir, ParamPaths params) throws Failure {
        String lmv;
        try {
            lmv = deviceName(arg, dir, ObdNative.MOUNT_LMV, "error opening " + arg, "error: can't get lmv name.");
        } catch (Failure f) {
            throw new Failure(f.text() + uuidLine(arg, f.rc()), f.rc());
        }
        try {
            return readUuid(params, lmv);
        } catch (LskException e) {
            throw new Failure(prog + ": " + e.getMessage() + "\n" + uuidLine(arg, -e.errno()), -e.errno());
        }
    }

    /** {@code -u DIR}: the client UUID of the mount, once its fsname is the key's. */
    public String clientUuidFor(String keyFsname, String arg, Path dir, ParamPaths params) throws Failure {
        String fs = fsname(arg, dir);
        if (!fs.equals(keyFsname)) {
            throw new Failure("Lustre mount " + arg + " is of file system '" + fs + "', the key is for '"
                    + keyFsname + "'\n", -Errno.EINVAL);
        }
        return clientUuid(arg, dir, params);
    }

    /** The fsname of a LOV device name, as llapi_get_fsname_instance splits it. */
    static Optional<String> splitLov(String lov) {
        int i = lov.indexOf(LOV_SEPARATOR);
        return i < 0 ? Optional.empty() : Optional.of(lov.substring(0, i));
    }

    /** {@code lmv/<name>/uuid}: the first line, 1 to 39 printable characters without ':'. */
    static String readUuid(ParamPaths params, String lmv) throws LskException {
        if (!lmv.matches("[A-Za-z0-9_.-]{1,127}") || lmv.equals(".") || lmv.equals("..")) {
            throw new LskException("LMV device name '" + lmv + "' is not a valid device name", Errno.EINVAL);
        }
        String param = "lmv/" + lmv + "/uuid";
        Path p = params.find(param).orElseThrow(() -> new LskException("parameter " + param + " not found",
                Errno.ENOENT));
        byte[] b;
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            b = in.readNBytes(UUID_MAX + 2);
        } catch (IOException e) {
            throw new LskException("cannot read " + p + ": " + e.getMessage(), Errno.of(e), e);
        }
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int nl = s.indexOf('\n');
        String uuid = nl >= 0 ? s.substring(0, nl) : s;
        if (!uuid.matches("[\\x21-\\x39\\x3b-\\x7e]{1," + UUID_MAX + "}")) {
            throw new LskException(p + " does not hold a client UUID", Errno.EINVAL);
        }
        return uuid;
    }

    private String deviceName(String arg, Path dir, int which, String openWhat, String ioctlWhat) throws Failure {
        long fd = shim.lsk_open_dir_nofollow(dir.toString());
        if (fd < 0) {
            int e = (int) -fd;
            String why = e == ELOOP || e == ENOTDIR
                    ? prog + ": -u needs the mount point itself (lsk opens it as a directory, never through"
                    + " a symbolic link)\n" : "";
            throw new Failure(llapiLine(openWhat, e) + why, (int) fd);
        }
        try {
            byte[] buf = new byte[128];
            long n = shim.lsk_obd_mount_name((int) fd, which, buf, buf.length);
            if (n < 0) {
                throw new Failure(llapiLine(ioctlWhat, (int) -n), (int) n);
            }
            return new String(buf, 0, (int) n, StandardCharsets.ISO_8859_1);
        } finally {
            shim.lsk_obd_close((int) fd);
        }
    }

    /** liblustreapi's error line: {@code <prog>: <what>: <strerror> (<errno>)}. */
    private String llapiLine(String what, int errno) {
        return prog + ": " + what + ": " + ObdNative.strerror(shim, errno) + " (" + errno + ")\n";
    }

    private static String fsnameLine(String arg, int rc) {
        return "Cannot get Lustre fsname for " + arg + ": rc=" + rc + "\n";
    }

    private static String uuidLine(String arg, int rc) {
        return "Cannot get Lustre client uuid for " + arg + ": rc=" + rc + "\n";
    }
}
