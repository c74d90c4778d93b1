package lsk.lgsssk.parity;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyFileFormatException;

/**
 * Compares the entries left in a case directory with C's: type, mode, symlink target, and file
 * contents by sha256. Key files whose bytes differ are decoded (the ASCII form to its binary
 * image) and compared byte by byte, where the README's by-design differences are allowed: a
 * generated prime (lsk's must be a safe prime of the recorded size) and, in random_key cases,
 * the shared key bytes. Any other differing byte is reported by field.
 */
public final class FileCheck {
    private static final String[][] FIELDS = {
        {"0", "version"}, {"4", "hmac"}, {"6", "crypt"}, {"8", "expire"}, {"12", "keylen"}, {"16", "primebits"},
        {"20", "type"}, {"21", "mgsnids"}, {"149", "fsname"}, {"214", "nodemap"}, {"231", "shared key"},
        {"359", "prime"},
    };

    /** Payload sha prefixes (as kr_dump prints them) to the first file name holding them, per side. */
    public final Map<String, String> cPayloads = new TreeMap<>();
    public final Map<String, String> lskPayloads = new TreeMap<>();
    public final List<String> mismatches = new ArrayList<>();

    private final Path blobs;
    private final boolean randomKey;
    private final List<byte[]> inputs;

    /** {@code inputs}: the case's input files, whose primes C copies rather than generates. */
    public FileCheck(Path blobs, boolean randomKey, List<byte[]> inputs) {
        this.blobs = blobs;
        this.randomKey = randomKey;
        this.inputs = inputs;
    }

    public void compare(JsonObject cFiles, Map<String, CaseRun.Entry> lsk) throws IOException {
        TreeSet<String> names = new TreeSet<>(cFiles.keySet());
        names.addAll(lsk.keySet());
        for (String name : names) {
            JsonElement ce = cFiles.get(name);
            CaseRun.Entry le = lsk.get(name);
            if (ce == null) {
                mismatches.add("file " + name + ": left by lsk (" + le.type() + "), not by C");
                continue;
            }
            JsonObject c = ce.getAsJsonObject();
            if (c.has("blob")) {
                cPayloads.putIfAbsent(c.get("blob").getAsString().substring(0, 16), name);
                if (c.has("format") && c.get("format").getAsString().equals("ascii")) {
                    mapImage(cPayloads, Files.readAllBytes(blobs.resolve(c.get("blob").getAsString())), name);
                }
            }
            if (le == null) {
                mismatches.add("file " + name + ": left by C (" + c.get("type").getAsString() + "), not by lsk");
                continue;
            }
            if (!c.get("type").getAsString().equals(le.type())) {
                mismatches.add("file " + name + ": type " + le.type() + ", C " + c.get("type").getAsString());
                continue;
            }
            int cMode = c.get("mode").getAsInt();
            if (cMode != le.mode() && !le.type().equals("symlink")) {
                mismatches.add(String.format("file %s: mode %04o, C %04o", name, le.mode(), cMode));
            }
            if (le.type().equals("symlink")) {
                if (!c.get("target").getAsString().equals(le.target())) {
                    mismatches.add("file " + name + ": link to " + le.target() + ", C " + c.get("target").getAsString());
                }
            } else if (le.type().equals("file")) {
                byte[] mine = Files.readAllBytes(le.path());
                String sha = sha256(mine);
                lskPayloads.putIfAbsent(sha.substring(0, 16), name);
                mapImage(lskPayloads, mine, name);
                String cSha = c.get("blob").getAsString();
                if (!sha.equals(cSha)) {
                    byte[] theirs = Files.readAllBytes(blobs.resolve(cSha));
                    compareContents(name, mine, theirs);
                }
            }
        }
    }

    /** An ASCII key is loaded as its binary image: that payload names the file too. */
    private static void mapImage(Map<String, String> payloads, byte[] file, String name) {
        if (KeyFileCodec.isAscii(file)) {
            byte[] img = image(file);
            if (img != null) {
                payloads.putIfAbsent(sha256(img).substring(0, 16), name);
            }
        }
    }

    private void compareContents(String name, byte[] mine, byte[] theirs) {
        byte[] a = image(mine);
        byte[] b = image(theirs);
        if (a == null || b == null) {
            mismatches.add("file " + name + ": contents differ (" + mine.length + " bytes, C " + theirs.length
                    + "; " + (a == null ? "not a key" : "a key") + ", C " + (b == null ? "not a key" : "a key") + ")");
            return;
        }
        if (KeyFileCodec.isAscii(mine) != KeyFileCodec.isAscii(theirs)) {
            mismatches.add("file " + name + ": format " + format(mine) + ", C " + format(theirs));
        }
        boolean primeByDesign = false;
        int bits = ByteBuffer.wrap(a).getInt(KeyFileCodec.OFF_PRIME_BITS);
        if (!sameRange(a, b, KeyFileCodec.OFF_PRIME, KeyFileCodec.SIZE) && !isZero(b, KeyFileCodec.OFF_PRIME)
                && !fromInput(b)) {
            // C generated a prime here too: any safe prime of the size recorded is by design.
            primeByDesign = isSafePrime(a, bits);
            if (!primeByDesign) {
                mismatches.add("file " + name + ": prime differs and lsk's is not a safe prime of " + bits + " bits");
            }
        }
        List<String> differing = new ArrayList<>();
        for (int f = 0; f < FIELDS.length; f++) {
            int from = Integer.parseInt(FIELDS[f][0]);
            int to = f + 1 < FIELDS.length ? Integer.parseInt(FIELDS[f + 1][0]) : KeyFileCodec.SIZE;
            boolean allowed = (from == KeyFileCodec.OFF_PRIME && primeByDesign)
                    || (from == KeyFileCodec.OFF_SHARED_KEY && randomKey);
            if (!allowed && !sameRange(a, b, from, to)) {
                differing.add(FIELDS[f][1] + " [" + HexFormat.of().formatHex(a, from, Math.min(to, from + 24))
                        + " vs C " + HexFormat.of().formatHex(b, from, Math.min(to, from + 24)) + "]");
            }
        }
        if (!differing.isEmpty()) {
            mismatches.add("file " + name + ": key bytes differ in " + String.join(", ", differing));
        } else if (mine.length != theirs.length) {
            mismatches.add("file " + name + ": size " + mine.length + ", C " + theirs.length);
        }
    }

    /** True when C's prime is one an input file already held (copied, not generated). */
    private boolean fromInput(byte[] cImage) {
        for (byte[] in : inputs) {
            byte[] img = image(in);
            if (img != null && sameRange(img, cImage, KeyFileCodec.OFF_PRIME, KeyFileCodec.SIZE)) {
                return true;
            }
        }
        return false;
    }

    private static String format(byte[] f) {
        return KeyFileCodec.isAscii(f) ? "ascii" : "binary";
    }

    /** The binary image of a key file, or null when it is not one. */
    private static byte[] image(byte[] f) {
        if (KeyFileCodec.isAscii(f)) {
            try {
                return KeyFileCodec.asciiPayload(f);
            } catch (KeyFileFormatException e) {
                return null;
            }
        }
        return f.length == KeyFileCodec.SIZE ? f : null;
    }

    private static boolean sameRange(byte[] a, byte[] b, int from, int to) {
        return java.util.Arrays.equals(a, from, to, b, from, to);
    }

    private static boolean isZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The prime field holds p in its first bits/8 bytes, zeros after (as C stores it). */
    private static boolean isSafePrime(byte[] img, int bits) {
        int len = bits / 8;
        if (bits <= 0 || bits % 8 != 0 || len > KeyFileCodec.PRIME_FIELD || !isZero(img, KeyFileCodec.OFF_PRIME + len)) {
            return false;
        }
        byte[] pb = java.util.Arrays.copyOfRange(img, KeyFileCodec.OFF_PRIME, KeyFileCodec.OFF_PRIME + len);
        BigInteger p = new BigInteger(1, pb);
        return p.bitLength() == bits && p.isProbablePrime(40) && p.shiftRight(1).isProbablePrime(40);
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
