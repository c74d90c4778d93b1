package lsk.upcall;

import java.util.List;
import lsk.base.DecodeException;

/**
 * lgss_keyring's argv, as /sbin/request-key passes it:
 * {@code [-R realm] create <key id> <type> <description> <callout info> <uid> <gid>
 * <thread keyring> <process keyring> <session keyring>}.
 *
 * @param calloutText the callout info as given (printable ASCII, bounded: it is logged)
 */
public record UpcallArgs(String realm, int keyId, String type, String description, CalloutInfo callout,
                         String calloutText, int uid, int gid, int sessionKeyring) {
    public static final String USAGE = """
            usage: lgss_keyring [-R realm] create <key id> <type> <description> <callout info> <uid> <gid>
                                <thread keyring> <process keyring> <session keyring>
              The request-key(8) handler for Lustre GSS keys (key type lgssc): instantiates the key,
              then negotiates an SK context with the server through the kernel (in the background)
              and stores it in the key. Callout info: secid:mech:uid:gid:flags:svc type:lustre svc:
              target nid:target uuid:self nid:pid[:client uuid]. Logs go to syslog; the level is read
              from sptlrpc/gss/lgss_keyring/debug_level (0 error .. 4 trace).
            """;

    /** The realm option, short and long; {@link #parse} also takes {@code -Rrealm} and {@code --realm=realm}. */
    public static final String REALM = "-R";
    public static final String REALM_LONG = "--realm";

    /** KEY_MAX_DESC_SIZE less the NUL; key type names are short. */
    public static final int MAX_DESCRIPTION = 4095;
    public static final int MAX_TYPE = 31;
    /** What its {@link DecodeException}s name. */
    public static final String FIELD = "upcall arguments";

    /**
     * @throws DecodeException naming {@link #FIELD}; a bad callout info as {@code "invalid callout
     *     info: ..."} in its message
     */
    public static UpcallArgs parse(List<String> argv) throws DecodeException {
        String realm = null;
        int i = 0;
        if (!argv.isEmpty()) {
            String a = argv.get(0);
            if (a.equals(REALM) || a.equals(REALM_LONG)) {
                if (argv.size() < 2) {
                    throw bad("option " + a + " needs a realm");
                }
                realm = argv.get(1);
                i = 2;
            } else if (a.startsWith(REALM) && a.length() > 2) {
                realm = a.substring(2);
                i = 1;
            } else if (a.startsWith(REALM_LONG + "=")) {
                realm = a.substring(REALM_LONG.length() + 1);
                i = 1;
            }
        }
        List<String> p = argv.subList(i, argv.size());
        if (p.size() != 10) {
            throw bad("invalid parameter number " + p.size() + " (10 expected)");
        }
        if (!p.get(0).equals("create")) {
            throw bad("invalid operation '" + p.get(0) + "' (only create)");
        }
        int key = dec(p.get(1), "key id");
        int uid = dec(p.get(5), "uid");
        int gid = dec(p.get(6), "gid");
        dec(p.get(7), "thread keyring");
        dec(p.get(8), "process keyring");
        int sring = dec(p.get(9), "session keyring");
        printable(p.get(2), "key type", MAX_TYPE);
        printable(p.get(3), "key description", MAX_DESCRIPTION);
        CalloutInfo co;
        try {
            co = CalloutInfo.parse(p.get(4));
        } catch (DecodeException e) {
            throw new DecodeException(FIELD, "invalid " + e.getMessage(), e);
        }
        return new UpcallArgs(realm, key, p.get(2), p.get(3), co, p.get(4), uid, gid, sring);
    }

    /**
     * Whether the callout may have the context it asks for. Root, MDT and OST flags name the
     * node's root context, which every root session shares; the kernel sets them exactly when the
     * real uid is 0 ({@code user_is_root} in gss_keyring.c; a root-only import runs as uid 0) and
     * puts that uid in the callout, so a callout with flags or with uid 0 asks for root's
     * context. Anyone can call request_key(2) with a callout of their choosing, but
     * request-key's {@code %u} (the requester's fsuid) is the kernel's: both must be 0. (The C
     * tool gets there another way: it updates a key as the callout's uid when that is not 0,
     * which a root-flagged key, linked nowhere and without user permissions, refuses.)
     */
    public boolean rootContextAllowed() {
        boolean asksRoot = callout.rootCred() || callout.uid() == 0;
        return !asksRoot || (callout.uid() == 0 && uid == 0);
    }

    /** Logged as given: printable ASCII only, bounded, so that no line can be forged. */
    private static void printable(String s, String what, int max) throws DecodeException {
        if (s.isEmpty() || s.length() > max) {
            throw bad(what + " length " + s.length() + " (1.." + max + ")");
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20 || s.charAt(i) > 0x7e) {
                throw bad(what + " has a control or non-ASCII character at position " + i);
            }
        }
    }

    private static int dec(String s, String what) throws DecodeException {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad("can't extract " + what + ": '" + s + "'");
        }
        long v = Long.parseLong(s);
        if (v > Integer.MAX_VALUE) {
            throw bad(what + " " + s + " out of range");
        }
        return (int) v;
    }

    private static DecodeException bad(String why) {
        return new DecodeException(FIELD, why);
    }
}
