package lsk.sk;

/**
 * GSS mechanism numbers as Lustre packs them into the 32-bit service field
 * ({@code (mech << 16) | service}), and the mech names of the callout.
 */
public final class Mech {
    public static final int SHIFT = 16;
    public static final long MASK = 0xFFFF0000L;
    public static final int KRB5 = 0;
    public static final int NULL = 1;
    public static final int SK = 2;
    /** The callout's name of the SK mech. */
    public static final String SK_NAME = "sk";

    private Mech() {
    }

    /** The mech of a 32-bit lustre service field. */
    public static int of(long lustreSvc) {
        return (int) ((lustreSvc & MASK) >>> SHIFT);
    }
}
