/**
 * Lustre OBD devices by ioctl, through the native shim ({@code jni/obd.c}, the only place
 * {@code struct obd_ioctl_data} and {@code struct lustre_cfg} are laid out). What the kernel
 * returns is checked before use (a bad nodemap name is a {@link lsk.base.DecodeException}).
 *
 * <ul>
 *   <li>{@link lsk.obd.ObdNodemapResolver}: the server's nodemap lookup by SHA-256 of the name
 *       (Lustre 2.17.51 and later, {@code /dev/obd}, {@code OBD_IOC_NAME2DEV} then
 *       {@code OBD_IOC_NODEMAP} with {@code LCFG_NODEMAP_LOOKUP_SHA}).</li>
 *   <li>{@link lsk.obd.LustreMount}: fsname and client UUID of a client mount for
 *       {@code lgss_sk -l KEY -u DIR}, by the ioctls liblustreapi uses.</li>
 * </ul>
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.kernel, lsk.handshake.
 */
package lsk.obd;
