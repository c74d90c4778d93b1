package lsk.fuzz;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Checks shared by the fuzz targets. A target throws {@link AssertionError} (via {@link #fail})
 * when a property breaks; Jazzer reports it, and any other unexpected exception, as a finding.
 */
final class Fuzz {
    /** Secrets shorter than this are too likely to appear in text by chance to search for. */
    static final int MIN_SECRET = 8;

    private Fuzz() {
    }

    static AssertionError fail(String what) {
        return new AssertionError(what);
    }

    /**
     * Fails when {@code text} (a message, a toString) shows {@code secret} in hex (either case) or
     * base64 (standard or url alphabet). All-zero secrets are skipped: their encodings are
     * runs of '0'/'A' that legitimately occur.
     */
    static void assertNoSecret(String where, String text, byte[] secret) {
        if (text == null || secret == null || secret.length < MIN_SECRET || allZero(secret)) {
            return;
        }
        String hex = HexFormat.of().formatHex(secret);
        String lower = text.toLowerCase(Locale.ROOT);
        // A window of the secret is enough to leak it; 8 bytes = 16 hex digits.
        for (int off = 0; off + MIN_SECRET <= secret.length; off += MIN_SECRET) {
            if (lower.contains(hex.substring(2 * off, 2 * (off + MIN_SECRET)))) {
                throw fail(where + " shows secret bytes in hex");
            }
        }
        String b64 = Base64.getEncoder().withoutPadding().encodeToString(secret);
        String b64url = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        if (text.contains(b64.substring(0, 10)) || text.contains(b64url.substring(0, 10))) {
            throw fail(where + " shows secret bytes in base64");
        }
    }

    static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
