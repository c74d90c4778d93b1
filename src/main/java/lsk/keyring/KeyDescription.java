package lsk.keyring;

import lsk.base.DecodeException;
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
     *
     * @throws DecodeException when it does not have five fields or a number field is not one
     */
    public static KeyDescription parse(String s) throws DecodeException {
        String[] f = s.split(";", 5);
        if (f.length != 5) {
            throw new DecodeException("key description", "malformed key description from the kernel");
        }
        try {
            return new KeyDescription(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Integer.parseUnsignedInt(f[3], 16), f[4]);
        } catch (NumberFormatException e) {
            throw new DecodeException("key description", "uid, gid or perm is not a number", e);
        }
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
