package lsk.kernel.sim;

import lsk.base.ByteString;
import lsk.base.Errno;
import lsk.kernel.Downcalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The lines of Lustre 2.15's sunrpc cache channels as its kernel writes and parses them,
 * written from {@code lustre/ptlrpc/gss/gss_svc_upcall.c} (2.15 line: {@code rsi_request},
 * {@code rsi_parse}, {@code rsc_parse}; read in the lustre-release tree of the 2.15 era and
 * Cray/lustre 2.15.5) and Linux {@code net/sunrpc/cache.c} ({@code cache_downcall}), with the
 * word format of {@link SimCacheWords}; never from lsk's encoders.
 *
 * <p>A write's result is what the kernel's {@code write()} returns: the count, or a negative
 * errno. Each parse keeps the kernel's quirks, since a daemon sees them: a malformed word
 * before the cache lookup is -ENOMEM (the lookup never ran, and {@code rsi_parse}/{@code
 * rsc_parse} turn "no entry" into -ENOMEM), and some malformed words after it are a success
 * that changes nothing (status was already 0).
 */
final class SimCacheLines {
    /** cache_downcall: writes of 32768 bytes or more are refused (Linux 5.11+; 8192 before). */
    static final int MAX_WRITE = 32768;
    /** sunrpc_cache_pipe_upcall builds the request in one page; longer ones are never queued. */
    static final int PAGE_SIZE = 4096;
    /** Mechanisms lgss_name_to_mech knows in 2.15 (gss_krb5_mech.c, gss_null_mech.c, gss_sk_mech.c). */
    static final Set<String> MECHS = Set.of("krb5", "gssnull", "sk");

    private SimCacheLines() {
    }

    /**
     * {@code rsi_request}: lustre_svc (u32), nid (u64) and the suggested context index (u64) as
     * hex of their host-order (little-endian) bytes, the nodemap name with its NUL, the in
     * handle (empty for INIT) and the token, each by {@code qword_addhex}, the last space made
     * a newline. Empty when it does not fit the page (the upcall then fails with -EAGAIN).
     */
    static String request(int lustreSvc, long nid, long index, String nodemap, byte[] inHandle, byte[] token) {
        StringBuilder b = new StringBuilder();
        SimCacheWords.addHex(b, le(4, lustreSvc));
        SimCacheWords.addHex(b, le(8, nid));
        SimCacheWords.addHex(b, le(8, index));
        byte[] nm = nodemap.getBytes(StandardCharsets.US_ASCII);
        SimCacheWords.addHex(b, Arrays.copyOf(nm, nm.length + 1));
        SimCacheWords.addHex(b, inHandle);
        SimCacheWords.addHex(b, token);
        b.setCharAt(b.length() - 1, '\n');
        // qword_addhex fails (len -1) once a word and its space do not fit what is left of the page.
        return b.length() > PAGE_SIZE ? "" : b.toString();
    }

    private static byte[] le(int n, long v) {
        ByteBuffer bb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        return Arrays.copyOf(bb.array(), n);
    }

    /** (in handle, in token): the key of an rsi cache entry. */
    record Key(ByteString handle, ByteString token) {
    }

    /**
     * One write's outcome: errno 0 with a value (applied), 0 without (accepted, no effect), or
     * refused. {@code woken}: the pending request whose waiter {@code rsi_parse} woke without an
     * answer (it found the entry, then failed): the kernel drops that request at once.
     */
    record Result<T>(int errno, T value, String detail, Key woken) {
        Result(int errno, T value, String detail) {
            this(errno, value, detail, null);
        }

        static <T> Result<T> refused(int errno, String detail) {
            return new Result<>(errno, null, detail);
        }

        static <T> Result<T> noEffect(String detail) {
            return new Result<>(0, null, detail);
        }

        Result<T> waking(Key k) {
            return new Result<>(errno, value, detail, k);
        }

        /** What write() returns for a message of {@code count} bytes. */
        long writeResult(int count) {
            return errno == 0 ? count : -errno;
        }
    }

    /** An rsi line's fields (the expiry is not used by the kernel beyond its check). */
    record Rsi(ByteString inHandle, ByteString inToken, long expiry, int major, int minor, ByteString outHandle,
               ByteString outToken) {
    }

    /**
     * {@code rsi_parse} of one write to auth.sptlrpc.init/channel. {@code pending} says whether
     * (in handle, in token) names a request still waiting (CACHE_PENDING); a line for any other
     * is -EINVAL ("someone wrote arbitrary data to the init channel").
     */
    static Result<Rsi> rsi(byte[] write, Predicate<Key> pending) {
        Result<Rsi> size = size(write.length);
        if (size != null) {
            return size;
        }
        SimCacheWords.Cursor c = new SimCacheWords.Cursor(write);
        byte[] inHandle = c.word(write.length);
        byte[] inToken = inHandle == null ? null : c.word(write.length);
        if (inToken == null) {
            return Result.refused(Errno.ENOMEM, "bad in handle/token word (no cache entry looked up)");
        }
        Key k = new Key(ByteString.copyOf(inHandle), ByteString.copyOf(inToken));
        if (!pending.test(k)) {
            return Result.refused(Errno.EINVAL, "no pending request for this handle and token");
        }
        Result<Rsi> r = rsiFields(c, write.length, k);
        return r.value() == null ? r.waking(k) : r;
    }

    private static Result<Rsi> rsiFields(SimCacheWords.Cursor c, int mlen, Key k) {
        long[] expiry = c.time();
        if (expiry[0] != 0 || expiry[1] < 0) {
            return Result.refused(Errno.EINVAL, "bad expiry");
        }
        byte[] w = c.word(mlen);
        if (w == null || w.length == 0) {
            return Result.noEffect("no major status word (status already 0)");
        }
        long[] major = SimCacheWords.kstrtoint(SimCacheWords.cString(w), 10);
        if (major[0] != 0) {
            return Result.refused((int) -major[0], "major status not a decimal int");
        }
        w = c.word(mlen);
        if (w == null || w.length == 0) {
            return Result.refused(Errno.EINVAL, "no minor status word");
        }
        long[] minor = SimCacheWords.kstrtoint(SimCacheWords.cString(w), 10);
        if (minor[0] != 0) {
            return Result.refused((int) -minor[0], "minor status not a decimal int");
        }
        byte[] outHandle = c.word(mlen);
        byte[] outToken = outHandle == null ? null : c.word(mlen);
        if (outToken == null) {
            return Result.noEffect("bad out handle/token word (status already 0)");
        }
        return new Result<>(0, new Rsi(k.handle(), k.token(), expiry[1], (int) major[1], (int) minor[1],
                ByteString.copyOf(outHandle), ByteString.copyOf(outToken)), "");
    }

    /** An rsc line: the context, or none for a negative entry (the line ended before the uid). */
    record Rsc(ByteString handle, Downcalls.Rsc context) {
    }

    /**
     * {@code rsc_parse} of one write to auth.sptlrpc.context/channel: handle, expiry, the remote,
     * root, mds and oss flags, mapped uid (before the lookup: failures are -ENOMEM), then uid
     * (missing: a negative entry), gid, mech name, context (hex). The context's import is the
     * mech's; here only an empty one is refused, as every mech's import refuses it.
     */
    static Result<Rsc> rsc(byte[] write) {
        Result<Rsc> size = size(write.length);
        if (size != null) {
            return size;
        }
        SimCacheWords.Cursor c = new SimCacheWords.Cursor(write);
        byte[] handle = c.word(write.length);
        long[] expiry = handle == null ? null : c.time();
        if (expiry == null || expiry[0] != 0 || expiry[1] < 0) {
            return Result.refused(Errno.ENOMEM, "bad handle or expiry (no cache entry looked up)");
        }
        int flags = 0;
        int[] bits = {Downcalls.RSC_FLAG_REMOTE, Downcalls.RSC_FLAG_ROOT, Downcalls.RSC_FLAG_MDS,
            Downcalls.RSC_FLAG_OSS};
        for (int bit : bits) {
            long[] f = c.integer();
            if (f[0] != 0) {
                return Result.refused(Errno.ENOMEM, "bad flag word (no cache entry looked up)");
            }
            flags |= f[1] != 0 ? bit : 0;
        }
        long[] mappedUid = c.integer();
        if (mappedUid[0] != 0) {
            return Result.refused(Errno.ENOMEM, "bad mapped uid (no cache entry looked up)");
        }
        ByteString h = ByteString.copyOf(handle);
        long[] uid = c.integer();
        if (uid[0] == -Errno.ENOENT) {
            return new Result<>(0, new Rsc(h, null), "no uid: negative entry");
        }
        long[] gid = uid[0] == 0 ? c.integer() : uid;
        if (gid[0] != 0) {
            return Result.refused(Errno.EINVAL, "bad uid or gid");
        }
        byte[] mech = c.word(write.length);
        if (mech == null) {
            return Result.refused(Errno.EINVAL, "bad mech name word");
        }
        String name = SimCacheWords.cString(mech);
        if (!MECHS.contains(name)) {
            return Result.refused(Errno.EOPNOTSUPP, "unknown mech '" + name + "'");
        }
        byte[] ctx = c.word(write.length);
        if (ctx == null || ctx.length == 0) {
            return Result.refused(Errno.EINVAL, "bad or empty context word");
        }
        try {
            return new Result<>(0, new Rsc(h, new Downcalls.Rsc(flags, (int) mappedUid[1], (int) uid[1], (int) gid[1],
                    name, "", handle, ctx)), "");
        } finally {
            Arrays.fill(ctx, (byte) 0);
        }
    }

    /** cache_downcall/cache_do_downcall: an empty write, or one of 32768 bytes or more, is -EINVAL. */
    private static <T> Result<T> size(int count) {
        if (count == 0 || count >= MAX_WRITE) {
            return Result.refused(Errno.EINVAL, "write of " + count + " bytes");
        }
        return null;
    }
}
