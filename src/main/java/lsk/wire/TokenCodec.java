package lsk.wire;

import java.nio.ByteBuffer;
import lsk.base.ByteString;
import lsk.base.DecodeException;

/**
 * Byte layout of the two SEC_CTX_INIT tokens (SK-PROTOCOL.md section 3): each is a plain
 * concatenation of netstrings, fields in this order. Bytes after the last field are ignored
 * by the decoders, as by the C code (they still count as part of the token for the KDF).
 */
public final class TokenCodec {
    /** The only token version there is. */
    public static final int VERSION = 1;

    // Initiator token fields.
    public static final int INIT_VERSION = 0;
    public static final int INIT_RANDOM = 1;
    public static final int INIT_PRIME = 2;
    public static final int INIT_PUBLIC_KEY = 3;
    public static final int INIT_TARGET = 4;
    public static final int INIT_NODEMAP_HASH = 5;
    public static final int INIT_FLAGS = 6;
    public static final int INIT_HMAC = 7;
    public static final int INIT_FIELDS = 8;

    // Responder token fields.
    public static final int RESP_VERSION = 0;
    public static final int RESP_RANDOM = 1;
    public static final int RESP_PUBLIC_KEY = 2;
    public static final int RESP_HMAC = 3;
    public static final int RESP_FIELDS = 4;

    private TokenCodec() {
    }

    /** BE32 of a u32, as the version and flags fields carry it. */
    public static byte[] be32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    /** The first 4 bytes of {@code field} as BE32 (the caller checks the length). */
    static int be32(ByteString field) {
        return (field.byteAt(0) & 0xff) << 24 | (field.byteAt(1) & 0xff) << 16 | (field.byteAt(2) & 0xff) << 8
                | (field.byteAt(3) & 0xff);
    }

    public static byte[] encode(InitToken t) {
        ByteString[] f = new ByteString[INIT_FIELDS];
        f[INIT_VERSION] = t.version();
        f[INIT_RANDOM] = t.random();
        f[INIT_PRIME] = t.prime();
        f[INIT_PUBLIC_KEY] = t.publicKey();
        f[INIT_TARGET] = t.target();
        f[INIT_NODEMAP_HASH] = t.nodemapHash();
        f[INIT_FLAGS] = t.flags();
        f[INIT_HMAC] = t.hmac();
        return Netstring.encode(f);
    }

    public static InitToken decodeInit(byte[] token) throws DecodeException {
        Netstring.Decoded d = Netstring.decode(token, INIT_FIELDS);
        return new InitToken(d.field(INIT_VERSION), d.field(INIT_RANDOM), d.field(INIT_PRIME),
                d.field(INIT_PUBLIC_KEY), d.field(INIT_TARGET), d.field(INIT_NODEMAP_HASH), d.field(INIT_FLAGS),
                d.field(INIT_HMAC));
    }

    public static byte[] encode(ResponseToken t) {
        ByteString[] f = new ByteString[RESP_FIELDS];
        f[RESP_VERSION] = t.version();
        f[RESP_RANDOM] = t.random();
        f[RESP_PUBLIC_KEY] = t.publicKey();
        f[RESP_HMAC] = t.hmac();
        return Netstring.encode(f);
    }

    public static ResponseToken decodeResponse(byte[] token) throws DecodeException {
        Netstring.Decoded d = Netstring.decode(token, RESP_FIELDS);
        return new ResponseToken(d.field(RESP_VERSION), d.field(RESP_RANDOM), d.field(RESP_PUBLIC_KEY),
                d.field(RESP_HMAC));
    }
}
