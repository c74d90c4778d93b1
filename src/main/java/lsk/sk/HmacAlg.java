package lsk.sk;

import java.util.Locale;
import java.util.Optional;

/** HMAC algorithm ids of skc_hmac_alg, with the kernel (crypto API) name printed by {@code lgss_sk -r}. */
public enum HmacAlg {
    NONE(0, "null", "NONE", 0),
    SHA256(1, "sha256", "SHA256", 32),
    SHA512(2, "sha512", "SHA512", 64);

    /** The id the tools write for a name they do not know. */
    public static final int INVALID_ID = 0xFFFF;

    private final int id;
    private final String kernelName;
    private final String displayName;
    private final int digestLength;

    HmacAlg(int id, String kernelName, String displayName, int digestLength) {
        this.id = id;
        this.kernelName = kernelName;
        this.displayName = displayName;
        this.digestLength = digestLength;
    }

    public int id() { return id; }

    /** The first name of the C table: what {@code lgss_sk -r} prints and the kernel context carries. */
    public String kernelName() { return kernelName; }

    public String displayName() { return displayName; }

    public int digestLength() { return digestLength; }

    /** The JCA name of the HMAC (only for SHA256/SHA512). */
    public String jcaName() {
        return switch (this) {
            case SHA256 -> "HmacSHA256";
            case SHA512 -> "HmacSHA512";
            case NONE -> throw new IllegalStateException("no HMAC for NONE");
        };
    }

    public static Optional<HmacAlg> byId(int id) {
        for (HmacAlg a : values()) {
            if (a.id == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Looks a name up in both columns of the C table, case-insensitively. */
    public static Optional<HmacAlg> byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (HmacAlg a : values()) {
            if (a.kernelName.equals(n) || a.displayName.toLowerCase(Locale.ROOT).equals(n)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
