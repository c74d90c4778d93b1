package lsk.sk;

import java.util.Locale;
import java.util.Optional;

/** Cipher ids of skc_crypt_alg, with the kernel (crypto API) name printed by {@code lgss_sk -r}. */
public enum CryptAlg {
    NONE(0, "null", "NONE", 0),
    AES256_CTR(1, "ctr(aes)", "AES-256-CTR", 32);

    public static final int INVALID_ID = 0xFFFF;

    private final int id;
    private final String kernelName;
    private final String displayName;
    private final int keyLength;

    CryptAlg(int id, String kernelName, String displayName, int keyLength) {
        this.id = id;
        this.kernelName = kernelName;
        this.displayName = displayName;
        this.keyLength = keyLength;
    }

    public int id() { return id; }

    public String kernelName() { return kernelName; }

    public String displayName() { return displayName; }

    /** Key size in bytes (0 for NONE). */
    public int keyLength() { return keyLength; }

    public static Optional<CryptAlg> byId(int id) {
        for (CryptAlg a : values()) {
            if (a.id == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public static Optional<CryptAlg> byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (CryptAlg a : values()) {
            if (a.kernelName.equals(n) || a.displayName.toLowerCase(Locale.ROOT).equals(n)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
