package lsk.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import lsk.base.ByteString;
import lsk.base.DecodeException;

/**
 * Netstrings as the SK tokens use them: {@code <decimal length>:<bytes>,} repeated.
 *
 * <p>Decoding follows the accept/reject decisions of the C decoder (sk_decode_netstring) for
 * every input it handles cleanly: the length is 1 to 9 decimal digits in canonical form (no
 * sign, no leading zero except the single digit {@code 0}, no whitespace), directly followed
 * by {@code :}; the field must fit and be followed by {@code ,}; exactly the requested number
 * of fields is read from the start and any bytes after them are left alone (the caller sees
 * how many were consumed). Where the C code crashes (a {@code -5:} length, a failure after
 * the first field) this decoder simply rejects.
 */
public final class Netstring {
    /** Longest length prefix the C decoder reads ({@code %9u}). */
    public static final int MAX_DIGITS = 9;

    private Netstring() {
    }

    /**
     * The fields read and the number of input bytes they took.
     *
     * @param fields   the field contents, in order
     * @param consumed bytes of input used by these fields; anything after is trailing
     */
    public record Decoded(List<ByteString> fields, int consumed) {
        public Decoded {
            fields = List.copyOf(fields);
        }

        public ByteString field(int i) {
            return fields.get(i);
        }

        public int count() {
            return fields.size();
        }
    }

    /** Encodes the fields as consecutive netstrings. */
    public static byte[] encode(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.writeBytes(Integer.toString(f.length).getBytes(StandardCharsets.US_ASCII));
            out.write(':');
            out.writeBytes(f);
            out.write(',');
        }
        return out.toByteArray();
    }

    /** Encodes the fields as consecutive netstrings. */
    public static byte[] encode(ByteString... fields) {
        byte[][] f = new byte[fields.length][];
        for (int i = 0; i < fields.length; i++) {
            f[i] = fields[i].toByteArray();
        }
        return encode(f);
    }

    /**
     * Reads exactly {@code count} netstrings from the start of {@code in}.
     *
     * @throws DecodeException naming the netstring ({@code "netstring <i>"}) and the fault
     */
    public static Decoded decode(byte[] in, int count) throws DecodeException {
        List<ByteString> fields = new ArrayList<>(count);
        int pos = 0;
        for (int i = 0; i < count; i++) {
            int digits = 0;
            long len = 0;
            while (pos + digits < in.length && digits <= MAX_DIGITS && isDigit(in[pos + digits])) {
                len = len * 10 + (in[pos + digits] - '0');
                digits++;
            }
            if (digits == 0) {
                throw new DecodeException("netstring " + i, "length does not start with a digit");
            }
            if (digits > MAX_DIGITS) {
                throw new DecodeException("netstring " + i, "length has more than " + MAX_DIGITS + " digits");
            }
            if (digits > 1 && in[pos] == '0') {
                throw new DecodeException("netstring " + i, "length has a leading zero");
            }
            if (pos + digits >= in.length || in[pos + digits] != ':') {
                throw new DecodeException("netstring " + i, "no ':' after the length");
            }
            long start = pos + digits + 1L;
            long end = start + len; // index of the ','
            if (end >= in.length) {
                throw new DecodeException("netstring " + i, "length " + len + " exceeds the "
                        + (in.length - start) + " bytes left");
            }
            if (in[(int) end] != ',') {
                throw new DecodeException("netstring " + i, "no ',' after " + len + " bytes");
            }
            fields.add(ByteString.copyOf(in, (int) start, (int) len));
            pos = (int) end + 1;
        }
        return new Decoded(fields, pos);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
