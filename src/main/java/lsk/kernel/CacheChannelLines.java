package lsk.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import lsk.base.ByteString;
import lsk.base.DecodeException;

/**
 * The records of a Lustre 2.15.x server's sunrpc cache channels (the words are {@link Qwords}):
 * the SEC_CTX_INIT request the kernel writes to the init channel ({@code rsi_request},
 * lustre/ptlrpc/gss/gss_svc_upcall.c, index id 19173571018), the rsi answer written back to it
 * and the rsc line written to the context channel, as the 2.15 lsvcgssd writes them
 * ({@code send_response} and {@code do_svc_downcall}, lustre/utils/gss/svcgssd_proc.c, index id
 * 2767627771). See /work/research/v215-formats.md.
 */
public final class CacheChannelLines {
    /** Relative to the parameter root (so a simulated kernel puts them under its own). */
    public static final String INIT_CHANNEL = "proc/net/rpc/auth.sptlrpc.init/channel";
    public static final String CONTEXT_CHANNEL = "proc/net/rpc/auth.sptlrpc.context/channel";
    /** The C daemon's {@code in_tok_buf[TOKEN_BUF_SIZE]}. */
    public static final int MAX_TOKEN = 8192;
    /** {@code char nm_name[LUSTRE_NODEMAP_NAME_LENGTH + 1]}, the NUL the kernel sends included. */
    public static final int MAX_NODEMAP_WORD = 17;
    /** Longest request: six hex words of the largest sizes accepted, five spaces, the newline. */
    public static final int MAX_REQUEST = 2 * 6 + 2 * (4 + 8 + 8 + MAX_NODEMAP_WORD + 8 + MAX_TOKEN) + 6;
    /** Longest answer: the C daemon's {@code char buf[2 * TOKEN_BUF_SIZE]} with its NUL. */
    public static final int MAX_ANSWER = 2 * MAX_TOKEN - 1;
    /** The C daemon's expiry for both answers: {@code time(NULL) + 3600}. */
    public static final long EXPIRY_SECONDS = 3600;
    private static final String[] FIELDS = {"lustre svc", "peer nid", "handle index", "nodemap", "in handle",
        "in token"};

    private CacheChannelLines() {
    }

    public static Path initChannel(ParamPaths paths) {
        return paths.root().resolve(INIT_CHANNEL);
    }

    public static Path contextChannel(ParamPaths paths) {
        return paths.root().resolve(CONTEXT_CHANNEL);
    }

    /**
     * One SEC_CTX_INIT request from the init channel. Host-order numbers (x86_64: little-endian).
     *
     * @param lustreSvc {@code (mech << 16) | service}
     * @param handleSeq the kernel's suggested context index, sent back as the handle
     */
    public record Request(long lustreSvc, long nid, long handleSeq, String nodemap, ByteString inHandle,
                          ByteString inToken) {
        /**
         * Strictly: one line of exactly six single-space-separated hex words and a newline; svc 4
         * bytes, nid and index 8, the nodemap 2..17 bytes of printable text ending in its NUL,
         * in-handle empty or 8 bytes, token at most {@link #MAX_TOKEN}.
         */
        public static Request parse(byte[] raw, int len) throws UpcallLine.Malformed {
            if (len <= 0) {
                throw new UpcallLine.Malformed("empty");
            }
            if (len > MAX_REQUEST) {
                throw new UpcallLine.Malformed("longer than " + MAX_REQUEST + " bytes");
            }
            if (raw[len - 1] != '\n') {
                throw new UpcallLine.Malformed("not terminated by a newline");
            }
            for (int i = 0; i < len - 1; i++) {
                int c = raw[i] & 0xff;
                if (!(c == ' ' || c == '\\' || c == 'x' || c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                    throw new UpcallLine.Malformed("byte 0x" + Integer.toHexString(c) + " at offset " + i
                            + " is in no hex word");
                }
            }
            String[] w = new String(raw, 0, len - 1, StandardCharsets.US_ASCII).split(" ", -1);
            if (w.length != FIELDS.length) {
                throw new UpcallLine.Malformed("expected " + FIELDS.length + " space-separated words, got " + w.length);
            }
            try {
                long svc = le(Qwords.hexWord(w[0], FIELDS[0], 4, 4));
                long nid = le(Qwords.hexWord(w[1], FIELDS[1], 8, 8));
                long seq = le(Qwords.hexWord(w[2], FIELDS[2], 8, 8));
                String nm = nodemapName(Qwords.hexWord(w[3], FIELDS[3], 2, MAX_NODEMAP_WORD));
                byte[] handle = Qwords.hexWord(w[4], FIELDS[4], 0, UpcallLine.CONTINUE_HANDLE_LEN);
                if (handle.length != 0 && handle.length != UpcallLine.CONTINUE_HANDLE_LEN) {
                    throw new UpcallLine.Malformed("in handle has " + handle.length + " bytes (0 or "
                            + UpcallLine.CONTINUE_HANDLE_LEN + " expected)");
                }
                byte[] token = Qwords.hexWord(w[5], FIELDS[5], 0, MAX_TOKEN);
                return new Request(svc, nid, seq, nm, ByteString.copyOf(handle), ByteString.copyOf(token));
            } catch (UpcallLine.Malformed e) {
                throw e;
            } catch (DecodeException e) {
                throw new UpcallLine.Malformed(e.getMessage());
            }
        }

        /** As the kernel writes it ({@code rsi_request}): for the simulated kernel and round trips. */
        public byte[] format() {
            StringBuilder b = new StringBuilder();
            Qwords.addHex(b, le((int) lustreSvc));
            Qwords.addHex(b, le(nid));
            Qwords.addHex(b, le(handleSeq));
            Qwords.addHex(b, (nodemap + "\0").getBytes(StandardCharsets.US_ASCII));
            Qwords.addHex(b, inHandle.toByteArray());
            Qwords.addHex(b, inToken.toByteArray());
            b.setCharAt(b.length() - 1, '\n');
            return b.toString().getBytes(StandardCharsets.US_ASCII);
        }

        /**
         * The same request as the socket backend's value, so one handler serves both; the
         * channel has no cache hash (the kernel finds the entry by handle and token): 0.
         */
        public UpcallLine toUpcallLine() {
            return new UpcallLine(0, lustreSvc, nid, handleSeq, nodemap, inHandle, inToken);
        }

        /** The handle the answers carry: the index bytes as the kernel sent them. */
        public byte[] handle() {
            return le(handleSeq);
        }
    }

    /**
     * The rsi answer ({@code send_response}): in handle and token (the kernel's lookup key),
     * expiry, major and minor status, out handle and token.
     */
    public static byte[] rsi(ByteString inHandle, ByteString inToken, long expiry, int major, int minor,
                             byte[] outHandle, byte[] outToken) throws DecodeException {
        StringBuilder b = new StringBuilder();
        Qwords.addHex(b, inHandle.toByteArray());
        Qwords.addHex(b, inToken.toByteArray());
        Qwords.addNumber(b, (int) expiry);
        Qwords.addNumber(b, Integer.toUnsignedLong(major));
        Qwords.addNumber(b, Integer.toUnsignedLong(minor));
        Qwords.addHex(b, outHandle);
        Qwords.addHex(b, outToken);
        return line(b, "rsi answer");
    }

    /** The credentials of an rsc line ({@code struct svc_cred} as the 2.15 daemon fills it for SK). */
    public record Cred(boolean remote, boolean root, boolean mds, boolean oss, int mappedUid, int uid, int gid) {
    }

    /** The rsc line ({@code do_svc_downcall}): handle, expiry, credentials, mech name, context. */
    public static byte[] rsc(byte[] handle, long expiry, Cred c, String mech, byte[] context) throws DecodeException {
        StringBuilder b = new StringBuilder();
        Qwords.addHex(b, handle);
        Qwords.addNumber(b, (int) expiry);
        for (int v : new int[] {c.remote() ? 1 : 0, c.root() ? 1 : 0, c.mds() ? 1 : 0, c.oss() ? 1 : 0,
            c.mappedUid(), c.uid(), c.gid()}) {
            Qwords.addNumber(b, v);
        }
        Qwords.addQuoted(b, mech);
        Qwords.addHex(b, context);
        return line(b, "rsc line");
    }

    private static byte[] line(StringBuilder b, String what) throws DecodeException {
        b.setCharAt(b.length() - 1, '\n');
        if (b.length() > MAX_ANSWER) {
            b.setLength(0);
            throw new DecodeException(what, "message too long (over " + MAX_ANSWER + " bytes)");
        }
        byte[] out = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        b.setLength(0);
        return out;
    }

    private static String nodemapName(byte[] b) throws UpcallLine.Malformed {
        if (b[b.length - 1] != 0) {
            throw new UpcallLine.Malformed("nodemap name not NUL-terminated");
        }
        for (int i = 0; i < b.length - 1; i++) {
            if (b[i] < 0x21 || b[i] > 0x7e) {
                throw new UpcallLine.Malformed("nodemap name has byte 0x" + Integer.toHexString(b[i] & 0xff));
            }
        }
        return new String(b, 0, b.length - 1, StandardCharsets.US_ASCII);
    }

    private static long le(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return b.length == 4 ? Integer.toUnsignedLong(bb.getInt()) : bb.getLong();
    }

    private static byte[] le(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
