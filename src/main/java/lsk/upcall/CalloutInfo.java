package lsk.upcall;

import lsk.base.CNumbers;
import lsk.base.DecodeException;
import lsk.kernel.KernelAbi;
import lsk.sk.Flags;

/**
 * The callout info the kernel passes to the upcall (request-key's {@code %c}), formatted
 * {@code "%d:%s:%u:%u:%s:%c:%d:%#llx:%s:%#llx:%d"}: secid, mech, uid, gid, flags (letters r
 * root, m mdt, o ost), service type (n/a/i/p), lustre svc, target NID, target (the client OBD
 * device name, e.g. {@code tank-MDT0000-mdc-ffff8881a2b4c000} or {@code MGC192.168.1.10@tcp}),
 * self NID, caller pid; from 2.17.54 a 12th field, the client uuid, which may be empty.
 *
 * <p>What the kernel sends for a normal user's credentials is accepted: flags empty and
 * service type {@code -} (the kernel sets both only for root contexts; the service is then the
 * RPC's, and the init token carries no service bit, as with the C tool). NIDs come as
 * {@code %#llx}, which prints 0 as {@code 0}; the pid is 0 when the kernel does not check
 * namespaces. Parsed strictly (the C tool uses strtol and ignores junk); what does not parse is a
 * {@link DecodeException} naming {@link #FIELD}.
 *
 * @param clientUuid null with 11 fields; the 12th field (possibly empty) otherwise
 */
public record CalloutInfo(int secid, String mech, int uid, int gid, boolean root, boolean mdt, boolean ost,
                          char svcType, int lustreSvc, long targetNid, String targetUuid, long selfNid, int pid,
                          String clientUuid) {
    public static final int MAX_LENGTH = 1023;
    public static final int MAX_UUID = 63;
    /** struct obd_uuid less the NUL. */
    public static final int MAX_CLIENT_UUID = 39;
    /** The service type of a normal user's context. */
    static final String USER_SVC = "-";
    /** Longest number read, as the C reader's {@code char buf[24]}. */
    private static final int MAX_NUMBER_CHARS = 23;

    /** What its {@link DecodeException}s name: reported as "invalid callout info: ...". */
    public static final String FIELD = "callout info";

    public static CalloutInfo parse(String s) throws DecodeException {
        if (s.length() > MAX_LENGTH) {
            throw bad("longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw bad("control, space or non-ASCII character at position " + i);
            }
        }
        String[] f = s.split(":", -1);
        if (f.length != 11 && f.length != 12) {
            throw bad("expected 11 or 12 ':'-separated fields, got " + f.length);
        }
        int secid = u32dec(f[0], "secid", Integer.MAX_VALUE);
        String mech = f[1];
        if (!mech.matches("[a-z0-9]{1,15}")) {
            throw bad("mech '" + mech + "' is not a mechanism name");
        }
        int uid = u32dec(f[2], "uid", 0xFFFFFFFFL);
        int gid = u32dec(f[3], "gid", 0xFFFFFFFFL);
        String flags = f[4];
        if (!flags.matches("r?m?o?") && !(flags.chars().allMatch(c -> "rmo".indexOf(c) >= 0)
                && flags.chars().distinct().count() == flags.length())) {
            throw bad("flags '" + flags + "' (letters r, m, o, each at most once)");
        }
        if (f[5].length() != 1 || "naip-".indexOf(f[5].charAt(0)) < 0) {
            throw bad("service type '" + f[5] + "' (one of n, a, i, p, or - for a user)");
        }
        if (f[5].equals(USER_SVC) && !flags.isEmpty()) {
            throw bad("service type '-' with flags '" + flags + "' (root contexts name their service)");
        }
        int svc = u32dec(f[6], "lustre svc", 0xFFFF);
        long tnid = number(f[7], "target nid");
        String tgt = f[8];
        if (tgt.isEmpty() || tgt.length() > MAX_UUID) {
            throw bad("target uuid length " + tgt.length() + " (1.." + MAX_UUID + ")");
        }
        long snid = number(f[9], "self nid");
        int pid = u32dec(f[10], "pid", Integer.MAX_VALUE);
        String cl = null;
        if (f.length == 12) {
            cl = f[11];
            if (cl.length() > MAX_CLIENT_UUID) {
                throw bad("client uuid length " + cl.length() + " (0.." + MAX_CLIENT_UUID + ")");
            }
        }
        return new CalloutInfo(secid, mech, uid, gid, flags.indexOf('r') >= 0, flags.indexOf('m') >= 0,
                flags.indexOf('o') >= 0, f[5].charAt(0), svc, tnid, tgt, snid, pid, cl);
    }

    private static long number(String s, String field) throws DecodeException {
        if (s.length() > MAX_NUMBER_CHARS) {
            throw bad(field + " '" + s + "' is not a number");
        }
        try {
            return CNumbers.strtoull(s);
        } catch (NumberFormatException e) {
            throw bad(field + " '" + s + "' is not a number");
        }
    }

    private static DecodeException bad(String why) {
        return new DecodeException(FIELD, why);
    }

    private static int u32dec(String s, String field, long max) throws DecodeException {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')
                || (s.length() > 1 && s.charAt(0) == '0')) {
            throw bad(field + " '" + s + "' is not a decimal number");
        }
        long v = Long.parseLong(s);
        if (v > max) {
            throw bad(field + " " + s + " out of range");
        }
        return (int) v;
    }

    /** 11, or 12 with the client uuid field. */
    public int fieldCount() {
        return clientUuid == null ? 11 : 12;
    }

    /** Refuses a callout with more fields than the kernel of {@code abi} sends. */
    public void checkFor(KernelAbi abi) throws DecodeException {
        if (fieldCount() > abi.calloutFields) {
            throw bad(fieldCount() + " fields, but Lustre " + abi.range + " sends " + abi.calloutFields
                    + " (is the Lustre version right?)");
        }
    }

    /** Any of the r/m/o flags: the key belongs to root and is shared by all root sessions. */
    public boolean rootCred() {
        return root || mdt || ost;
    }

    /** The flag letters as the kernel writes them (r, m, o), empty for a user's context. */
    public String flagLetters() {
        return (root ? "r" : "") + (mdt ? "m" : "") + (ost ? "o" : "");
    }

    /** The init token's flags: root bits and the service bit (none for a user's {@code -}). */
    public int wireFlags() {
        int f = (root ? Flags.ROOT : 0) | (mdt ? Flags.MDT : 0) | (ost ? Flags.OST : 0);
        return f | switch (svcType) {
            case 'n' -> Flags.SVC_NULL;
            case 'a' -> Flags.SVC_AUTH;
            case 'i' -> Flags.SVC_INTEGRITY;
            case 'p' -> Flags.SVC_PRIVACY;
            default -> 0;
        };
    }
}
