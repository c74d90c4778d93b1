package lsk.sk;

import lsk.lnet.Nid;

/**
 * The descriptions SSK keys carry in the kernel keyring (SK-PROTOCOL.md section 2), the one
 * place their naming rules are written: what {@code lgss_sk -l} loads, what the daemon and the
 * upcall look up, and how every generation of a rotated key is found.
 */
public final class KeyNames {
    /** Prefix of every Lustre SSK key description. */
    public static final String PREFIX = "lustre:";

    private KeyNames() {
    }

    /** {@code lustre:MGS:<nodemap>}: the MGS's key for a nodemap. */
    public static String mgs(String nodemap) {
        return PREFIX + "MGS:" + nodemap;
    }

    /** {@code lustre:<fs>:<nodemap>}: a server's key. */
    public static String server(String fsname, String nodemap) {
        return PREFIX + fsname + ":" + nodemap;
    }

    /** {@code lustre:<fs>}, or {@code lustre:<fs>:<extra>} for a client uuid or random tag. */
    public static String client(String fsname, String extra) {
        return PREFIX + fsname + (extra == null ? "" : ":" + extra);
    }

    /** {@code lustre:MGC<nid>}: a client's key for the MGS at that NID. */
    public static String mgc(long nid) {
        return PREFIX + "MGC" + Nid.format(nid);
    }

    /** {@code lustre:<target>} for a target name the kernel gave (e.g. {@code MGC192.168.1.1@tcp}). */
    public static String target(String name) {
        return PREFIX + name;
    }

    /**
     * The Lustre rule for finding every generation of a key (rotation): the description is
     * {@code base} itself, or {@code base} followed by {@code :} and anything (a suffix added by
     * {@code lgss_sk -s}, a client uuid, a nodemap).
     */
    public static boolean matchesBase(String description, String base) {
        return description.equals(base)
                || (description.length() > base.length() && description.startsWith(base)
                        && description.charAt(base.length()) == ':');
    }
}
