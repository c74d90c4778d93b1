package lsk.obd;

import lsk.base.DecodeException;
import lsk.base.Errno;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import lsk.base.LskException;
import lsk.handshake.NodemapResolver;
import lsk.kernel.KernelAbi;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;

/**
 * The server's nodemap lookup by SHA-256 of the name, as Lustre 2.17.51 and later offer it:
 * open {@code /dev/obd}, find the server device with {@code OBD_IOC_NAME2DEV} ({@code MGS},
 * then {@code MDS}, then {@code OSS}), and ask it with {@code OBD_IOC_NODEMAP} /
 * {@code LCFG_NODEMAP_LOOKUP_SHA}. The kernel answers only for nodemaps whose
 * {@code gssonly_identification} property is set (else EPERM) and ENOENT when no nodemap has
 * that hash. The command and its reply were read in the lustre-release sources (nodemap
 * handler); the device probing order is SK-PROTOCOL.md section 7's (the C daemon's lookup code
 * was not in the sources read).
 *
 * <p>Every failure is "not found" (the responder then refuses the token with BAD_SIG) plus one
 * log line; a machine without {@code /dev/obd} (no Lustre server module) logs at debug level.
 * Stateless: each lookup opens and closes the device, so concurrent handshakes may share it.
 */
public final class ObdNodemapResolver implements NodemapResolver {
    /** The devices asked, in order (SK-PROTOCOL.md section 7). */
    public static final List<String> DEVICES = List.of("MGS", "MDS", "OSS");
    /** {@code /dev/obd}, relative to the parameter root. */
    public static final String DEVICE_PATH = "dev/obd";
    /** LUSTRE_NODEMAP_NAME_LENGTH. */
    static final int NAME_MAX = 16;
    static final int SHA256_LEN = 32;

    private static final int ENOTTY = 25;

    private final Path device;
    private final ObdNative shim;
    private final Log log;

    public ObdNodemapResolver(Path device, ObdNative shim, Log log) {
        this.device = device;
        this.shim = shim;
        this.log = log;
    }

    /**
     * The resolver for {@code kernel}: {@link NodemapResolver#NONE} when that version has no
     * lookup by SHA ({@link KernelAbi.NodemapName#NEVER}) or the shim cannot be loaded (logged),
     * else one on {@code <root>/dev/obd}.
     */
    public static NodemapResolver forKernel(LustreKernel kernel, Log log) {
        if (kernel.abi().nodemapName == KernelAbi.NodemapName.NEVER) {
            return NodemapResolver.NONE;
        }
        try {
            return new ObdNodemapResolver(kernel.paths().root().resolve(DEVICE_PATH), ObdNative.load(), log);
        } catch (LskException e) {
            log.log(Log.WARN, "nodemap lookup by SHA disabled: " + e.getMessage());
            return NodemapResolver.NONE;
        }
    }

    @Override
    public Optional<String> byNameHash(byte[] sha256) {
        if (sha256 == null || sha256.length != SHA256_LEN) {
            return Optional.empty();
        }
        if (!Files.exists(device, LinkOption.NOFOLLOW_LINKS)) {
            log.log(Log.DEBUG, "nodemap lookup by SHA: no " + device + " (no Lustre server module here)");
            return Optional.empty();
        }
        long fd = shim.lsk_obd_open(device.toString());
        if (fd < 0) {
            log.log(Log.WARN, "nodemap lookup by SHA: cannot open " + device + ": " + err(fd));
            return Optional.empty();
        }
        try {
            for (String name : DEVICES) {
                long dev = shim.lsk_obd_name2dev((int) fd, name);
                if (dev < 0) {
                    continue; // no such device on this node
                }
                byte[] buf = new byte[NAME_MAX];
                long n = shim.lsk_obd_nodemap_lookup_sha((int) fd, (int) dev, sha256, SHA256_LEN, buf, buf.length);
                if (n == -ENOTTY) {
                    log.log(Log.DEBUG, "nodemap lookup by SHA: device " + name + " does not know the command");
                    continue;
                }
                if (n < 0) {
                    log.log(Log.INFO, "nodemap lookup by SHA on " + name + ": " + err(n)
                            + (n == -Errno.EPERM ? " (nodemap lacks gssonly_identification)" : ""));
                    return Optional.empty();
                }
                try {
                    return Optional.of(validName(buf, (int) n));
                } catch (DecodeException e) {
                    log.log(Log.WARN, "nodemap lookup by SHA on " + name + ": kernel returned an invalid name");
                    return Optional.empty();
                }
            }
            log.log(Log.DEBUG, "nodemap lookup by SHA: none of " + DEVICES + " answered on " + device);
            return Optional.empty();
        } finally {
            shim.lsk_obd_close((int) fd);
        }
    }

    /** A nodemap name as the kernel accepts one: 1 to 16 of [A-Za-z0-9_]. */
    static String validName(byte[] b, int len) throws DecodeException {
        if (len < 1 || len > NAME_MAX || len > b.length) {
            throw new DecodeException("nodemap name", "length " + len + " (1.." + NAME_MAX + ")");
        }
        for (int i = 0; i < len; i++) {
            int c = b[i] & 0xff;
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            if (!ok) {
                throw new DecodeException("nodemap name", "byte 0x" + Integer.toHexString(c) + " at " + i
                        + " is not one of [A-Za-z0-9_]");
            }
        }
        return new String(b, 0, len, StandardCharsets.US_ASCII);
    }

    private String err(long negErrno) {
        int e = (int) -negErrno;
        return ObdNative.strerror(shim, e) + " (" + e + ")";
    }
}
