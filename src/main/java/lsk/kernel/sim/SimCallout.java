package lsk.kernel.sim;

import lsk.kernel.KernelAbi;

/**
 * The callout info a simulated client kernel hands request-key for an {@code lgssc} key,
 * exactly as the kernel formats it: {@code "%d:%s:%u:%u:%s:%c:%d:%#llx:%s:%#llx:%d"} (secid,
 * mech, uid, gid, flags, service type, lustre svc, target NID, client OBD device name, self
 * NID, pid), and for versions whose {@link KernelAbi#calloutFields} is 12 a 12th field, the
 * client uuid, empty when there is none.
 *
 * @param flags   {@code r} client root, {@code m}/{@code o} MDT/OST, {@code rmo} MGC; empty for a user
 * @param svcFlag {@code n}/{@code a}/{@code i}/{@code p} for root contexts, {@code -} for a user
 * @param obdName the import's client device, e.g. {@code tank-MDT0000-mdc-ffff8881a2b4c000}
 */
public record SimCallout(int secid, String mech, int uid, int gid, String flags, char svcFlag, int lustreSvc,
                         long targetNid, String obdName, long selfNid, int pid, String clientUuid) {

    /** A root (client, {@code r}) context of service {@code svc}, SK mechanism. */
    public static SimCallout root(int secid, char svc, int lustreSvc, long targetNid, String obdName, long selfNid,
                                  int pid, String clientUuid) {
        return new SimCallout(secid, "sk", 0, 0, "r", svc, lustreSvc, targetNid, obdName, selfNid, pid, clientUuid);
    }

    /** A normal user's context: no flags, service {@code -}, the caller's pid. */
    public static SimCallout user(int secid, int uid, int gid, int lustreSvc, long targetNid, String obdName,
                                  long selfNid, int pid, String clientUuid) {
        return new SimCallout(secid, "sk", uid, gid, "", '-', lustreSvc, targetNid, obdName, selfNid, pid, clientUuid);
    }

    /**
     * The string the kernel of {@code abi} passes; a client uuid on a kernel that sends 11
     * fields is a caller's mistake.
     */
    public String format(KernelAbi abi) {
        if (abi.calloutFields == 11 && clientUuid != null) {
            throw new IllegalArgumentException("Lustre " + abi.range + " sends no client uuid field");
        }
        String s = secid + ":" + mech + ":" + Integer.toUnsignedString(uid) + ":" + Integer.toUnsignedString(gid)
                + ":" + flags + ":" + svcFlag + ":" + lustreSvc + ":" + alternateHex(targetNid) + ":" + obdName
                + ":" + alternateHex(selfNid) + ":" + pid;
        return abi.calloutFields == 12 ? s + ":" + (clientUuid == null ? "" : clientUuid) : s;
    }

    /** C's {@code %#llx}: {@code 0x} and lowercase hex, except that 0 prints as {@code 0}. */
    static String alternateHex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }
}
