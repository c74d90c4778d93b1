package lsk.sk;

/** The u32 flags field of the init token. */
public final class Flags {
    public static final int ROOT = 0x01;
    public static final int MDT = 0x02;
    public static final int OST = 0x04;
    public static final int SVC_NULL = 0x10;
    public static final int SVC_AUTH = 0x20;
    public static final int SVC_INTEGRITY = 0x40; // ski
    public static final int SVC_PRIVACY = 0x80;   // skpi

    private Flags() {
    }
}
