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
        assertNoSecret(where, text, secret, new byte[0]);
    }

    /**
     * As above, except for text the peer itself sent in {@code input} (a message may quote a
     * malformed field; a fuzzer that writes the key's hex into a target name leaks nothing).
     */
    static void assertNoSecret(String where, String text, byte[] secret, byte[] input) {
        if (text == null || secret == null || secret.length < MIN_SECRET || allZero(secret)) {
            return;
        }
        // "\xHH" is how messages escape a peer's non-printable bytes: it is the peer's data, and
        // next to the peer's own digits it can spell any hex (found by the long run). Not a leak.
        text = text.replaceAll("\\\\x[0-9a-fA-F]{2}", "\u0001");
        String sent = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
        String sentLower = sent.toLowerCase(Locale.ROOT);
        String hex = HexFormat.of().formatHex(secret);
        String lower = text.toLowerCase(Locale.ROOT);
        // A window of the secret is enough to leak it; 8 bytes = 16 hex digits.
        for (int off = 0; off + MIN_SECRET <= secret.length; off += MIN_SECRET) {
            String w = hex.substring(2 * off, 2 * (off + MIN_SECRET));
            if (w.chars().allMatch(ch -> ch == '0')) {
                continue; // zero runs occur in any text about sizes and offsets
            }
            if (lower.contains(w) && !sentLower.contains(w)) {
                throw fail(where + " shows secret bytes in hex");
            }
        }
        for (String b : new String[] {Base64.getEncoder().withoutPadding().encodeToString(secret),
                Base64.getUrlEncoder().withoutPadding().encodeToString(secret)}) {
            String w = b.substring(0, 10);
            if (text.contains(w) && !sent.contains(w)) {
                throw fail(where + " shows secret bytes in base64");
            }
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
