package lsk.keyring;

import lsk.sk.KeyNames;

/**
 * What {@code KEYCTL_DESCRIBE} reports about a key: {@code type;uid;gid;perm;description}.
 *
 * @param perm the permission mask (e.g. {@code 0x3f3f3f3f})
 */
public record KeyDescription(String type, long uid, long gid, int perm, String description) {

    /**
     * Parses the kernel's describe string. The description is everything after the fourth
     * {@code ;} (it may itself contain {@code ;}).
     */
    public static KeyDescription parse(String s) {
        String[] f = s.split(";", 5);
        if (f.length != 5) {
            throw new IllegalArgumentException("malformed key description from the kernel");
        }
        return new KeyDescription(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]),
                Integer.parseUnsignedInt(f[3], 16), f[4]);
    }

    /**
     * The Lustre rule for finding every generation of a key (rotation): the description is
     * {@code base} itself, or {@code base} followed by {@code :} and anything (a suffix added by
     * {@code lgss_sk -s}, a client uuid, a nodemap).
     */
    public boolean matchesBase(String base) {
        return KeyNames.matchesBase(description, base);
    }
}
