package lsk.keyfile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import lsk.base.ByteString;
import lsk.base.Secret;

/**
 * The one place that knows the byte layout of a key file ({@code struct sk_keyfile_config},
 * packed, all integers big-endian) and its ASCII form.
 *
 * <pre>
 *  offset  size  field               type
 *       0     4  skc_version         u32
 *       4     2  skc_hmac_alg        u16
 *       6     2  skc_crypt_alg       u16
 *       8     4  skc_expire          u32 seconds
 *      12     4  skc_shared_keylen   u32 bits
 *      16     4  skc_prime_bits      u32
 *      20     1  skc_type            u8 bit mask
 *      21   128  skc_mgsnids         u64[16]
 *     149    65  skc_fsname          char[65], NUL-terminated, bytes after the NUL kept
 *     214    17  skc_nodemap         char[17], likewise
 *     231   128  skc_shared_key      u8[128]
 *     359  2048  skc_p               u8[2048], big-endian, left-aligned
 *    2407        (end)
 * </pre>
 *
 * <p>Every byte maps to a field and back, so a decoded image re-encodes to the same bytes:
 * text fields are carried whole, including what C leaves after a shorter name's NUL (a
 * {@code -n c0} over "default" is {@code c0\0ault}), which the file and the keyring payload keep.
 *
 * <p>This codec is structural only: it maps bytes to fields and back. Whether the values
 * make a usable key is {@link KeyValidation}'s business, as in the C tools, so that
 * {@code lgss_sk -r} can print files that the validator then rejects.
 */
public final class KeyFileCodec {
    // Named offsets, in file order.
    public static final int OFF_VERSION = 0;        // u32
    public static final int OFF_HMAC_ALG = 4;       // u16
    public static final int OFF_CRYPT_ALG = 6;      // u16
    public static final int OFF_EXPIRE = 8;         // u32 seconds
    public static final int OFF_SHARED_KEYLEN = 12; // u32 bits
    public static final int OFF_PRIME_BITS = 16;    // u32
    public static final int OFF_TYPE = 20;          // u8
    public static final int OFF_MGSNIDS = 21;       // u64[16]
    public static final int OFF_FSNAME = 149;       // char[65]
    public static final int OFF_NODEMAP = 214;      // char[17]
    public static final int OFF_SHARED_KEY = 231;   // u8[128]
    public static final int OFF_PRIME = 359;        // u8[2048]
    public static final int SIZE = 2407;

    public static final int MGS_NID_SLOTS = 16;
    public static final int FSNAME_FIELD = 65;
    public static final int NODEMAP_FIELD = 17;
    public static final int SHARED_KEY_FIELD = 128;
    public static final int PRIME_FIELD = 2048;

    /** First line of the ASCII form. */
    public static final ByteString ASCII_HEADER = ByteString.copyOf(
            "Lustre SSK v1.0\n".getBytes(StandardCharsets.US_ASCII));
    /** The same bytes for the codec's own array work; never handed out. */
    private static final byte[] HEADER = ASCII_HEADER.toByteArray();

    private KeyFileCodec() {
    }

    /** Decodes exactly {@link #SIZE} bytes; every byte lands in a field, text fields whole. */
    public static KeyConfig decodeBinary(byte[] b) throws KeyFileFormatException {
        if (b.length != SIZE) {
            throw new KeyFileFormatException("key image is " + b.length + " bytes, expected " + SIZE);
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        long[] nids = new long[MGS_NID_SLOTS];
        for (int i = 0; i < MGS_NID_SLOTS; i++) {
            nids[i] = bb.getLong(OFF_MGSNIDS + 8 * i);
        }
        return new KeyConfig(
                    Integer.toUnsignedLong(bb.getInt(OFF_VERSION)),
                    Short.toUnsignedInt(bb.getShort(OFF_HMAC_ALG)),
                    Short.toUnsignedInt(bb.getShort(OFF_CRYPT_ALG)),
                    Integer.toUnsignedLong(bb.getInt(OFF_EXPIRE)),
                    Integer.toUnsignedLong(bb.getInt(OFF_SHARED_KEYLEN)),
                    Integer.toUnsignedLong(bb.getInt(OFF_PRIME_BITS)),
                    Byte.toUnsignedInt(b[OFF_TYPE]),
                    nids,
                    ByteString.copyOf(b, OFF_FSNAME, FSNAME_FIELD),
                    ByteString.copyOf(b, OFF_NODEMAP, NODEMAP_FIELD),
                    Secret.copyOf(b, OFF_SHARED_KEY, SHARED_KEY_FIELD),
                    ByteString.copyOf(b, OFF_PRIME, PRIME_FIELD));
    }

    /** True when the text field at {@code off} has a NUL within its {@code len} bytes. */
    public static boolean isNulTerminated(byte[] image, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (image[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** Encodes to the {@value #SIZE}-byte image, every field as the config holds it. */
    public static byte[] encodeBinary(KeyConfig c) {
        byte[] b = new byte[SIZE];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        bb.putInt(OFF_VERSION, (int) c.version());
        bb.putShort(OFF_HMAC_ALG, (short) c.hmacAlg());
        bb.putShort(OFF_CRYPT_ALG, (short) c.cryptAlg());
        bb.putInt(OFF_EXPIRE, (int) c.expire());
        bb.putInt(OFF_SHARED_KEYLEN, (int) c.sharedKeyLenBits());
        bb.putInt(OFF_PRIME_BITS, (int) c.primeBits());
        b[OFF_TYPE] = (byte) c.type();
        long[] nids = c.mgsNids();
        for (int i = 0; i < MGS_NID_SLOTS; i++) {
            bb.putLong(OFF_MGSNIDS + 8 * i, nids[i]);
        }
        System.arraycopy(c.fsnameField().toByteArray(), 0, b, OFF_FSNAME, FSNAME_FIELD);
        System.arraycopy(c.nodemapField().toByteArray(), 0, b, OFF_NODEMAP, NODEMAP_FIELD);
        try (Secret key = c.sharedKeyField()) {
            byte[] k = key.reveal();
            System.arraycopy(k, 0, b, OFF_SHARED_KEY, SHARED_KEY_FIELD);
            Arrays.fill(k, (byte) 0);
        }
        System.arraycopy(c.primeField().toByteArray(), 0, b, OFF_PRIME, PRIME_FIELD);
        return b;
    }

    /** The ASCII file: header, unpadded base64url of the image, newline. */
    public static byte[] encodeAscii(KeyConfig c) {
        byte[] image = encodeBinary(c);
        try {
            byte[] text = Base64Url.encode(image);
            byte[] out = new byte[HEADER.length + text.length + 1];
            System.arraycopy(HEADER, 0, out, 0, HEADER.length);
            System.arraycopy(text, 0, out, HEADER.length, text.length);
            out[out.length - 1] = '\n';
            Arrays.fill(text, (byte) 0);
            return out;
        } finally {
            Arrays.fill(image, (byte) 0);
        }
    }

    /** True when {@code file} starts with the ASCII header (the C reader's test for the format). */
    public static boolean isAscii(byte[] file) {
        return file.length >= HEADER.length
                && Arrays.equals(file, 0, HEADER.length, HEADER, 0, HEADER.length);
    }

    /**
     * The binary image carried by an ASCII file. After the header, spaces, tabs, CR and LF are
     * skipped; the payload ends at space, LF, NUL or end of file (CR is not an end, as in C, so
     * CRLF files fail; a wrapped payload ends at its first line break and so has the wrong
     * size); it must decode to exactly {@link #SIZE} bytes. Where C would ignore bytes after the
     * payload, lsk refuses anything but whitespace there.
     */
    public static byte[] asciiPayload(byte[] file) throws KeyFileFormatException {
        if (!isAscii(file)) {
            throw new KeyFileFormatException("Data is not ASCII-encoded SSK key format");
        }
        int i = HEADER.length;
        while (i < file.length && isSkippable(file[i])) {
            i++;
        }
        if (i == file.length) {
            throw new KeyFileFormatException("No encoded data found after header string");
        }
        int start = i;
        while (i < file.length && file[i] != ' ' && file[i] != '\n' && file[i] != 0) {
            i++;
        }
        int end = i;
        byte[] image = Base64Url.decode(file, start, end - start);
        if (image == null || image.length != SIZE) {
            // C's decoder reports -1 for bad characters and for more data than a key holds.
            int got = image == null || image.length > SIZE ? -1 : image.length;
            if (image != null) {
                Arrays.fill(image, (byte) 0);
            }
            throw new KeyFileFormatException("Failed to decode base64url data or incorrect size: got "
                    + got + " bytes, expected " + SIZE + " bytes");
        }
        for (; i < file.length; i++) {
            if (!isSkippable(file[i]) && file[i] != 0) {
                Arrays.fill(image, (byte) 0);
                throw new KeyFileFormatException("unexpected data after the base64url key at byte " + i
                        + " (only whitespace may follow it)");
            }
        }
        return image;
    }

    private static boolean isSkippable(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
