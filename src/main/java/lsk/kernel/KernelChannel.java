package lsk.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import lsk.base.ByteString;
import lsk.base.LskException;

/**
 * The client's negotiation channel ({@code sptlrpc/gss/init_channel}): hand the kernel an init
 * token, get back the server's reply. The real kernel takes a {@code struct lgssd_ioctl_param}
 * in its version's layout ({@link KernelAbi#ioctlParam}) written to the parameter file; a
 * simulated kernel serves a Unix socket at the same path under its own root. {@link #open}
 * picks by what the path is, so callers never know which.
 */
public interface KernelChannel {

    /**
     * @param secid     the kernel's security id (callout field 0)
     * @param uuid      the client OBD device name the kernel resolves (callout field 8), e.g.
     *                  {@code tank-MDT0000-mdc-ffff8881a2b4c000} (the struct field is named uuid)
     * @param lustreSvc {@code (mech << 16) | service}
     */
    record InitRequest(int secid, String uuid, int lustreSvc, int uid, int gid, ByteString token) {
        /** With the token as a byte array (copied). */
        public InitRequest(int secid, String uuid, int lustreSvc, int uid, int gid, byte[] token) {
            this(secid, uuid, lustreSvc, uid, gid, ByteString.copyOf(token));
        }
    }

    /** Sends the token; the reply buffer as the kernel filled it. Fails on a non-zero status. */
    ReplyBuffer negotiate(InitRequest request) throws LskException;

    static KernelChannel open(LustreKernel kernel) throws LskException {
        ChannelNative shim = ChannelNative.load();
        Path p = kernel.param(ParamPaths.INIT_CHANNEL, shim);
        if (isSocket(p)) {
            return new SocketKernelChannel(p, shim, kernel.abi().ioctlParam);
        }
        return new RealKernelChannel(p, shim, kernel.abi().ioctlParam);
    }

    static boolean isSocket(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
