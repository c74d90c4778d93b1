package lsk.keyring;

/**
 * Minimal LNet NID to string, for {@code lustre:MGC<nid>} key descriptions, as
 * {@code libcfs_nid2str} prints them. Stand-in until {@code lsk.lnet} is merged, then this
 * class should delegate to it. NID u64: high 32 bits (LND type &lt;&lt; 16) | network
 * number, low 32 bits the address.
 */
final class MgcNids {
    private MgcNids() {
    }

    static String toString(long nid) {
        int net = (int) (nid >>> 32);
        int type = net >>> 16;
        int num = net & 0xffff;
        long addr = nid & 0xffffffffL;
        String a;
        String name;
        switch (type) {
            case 2 -> { name = "tcp"; a = ipv4(addr); }
            case 5 -> { name = "o2ib"; a = ipv4(addr); }
            case 9 -> { name = "lo"; a = Long.toString(addr); }
            case 13 -> { name = "gni"; a = Long.toString(addr); }
            case 16 -> { name = "kfi"; a = Long.toString(addr); }
            default -> throw new IllegalArgumentException("unsupported LNet network type " + type + " in MGS NID");
        }
        return a + "@" + name + (num == 0 ? "" : Integer.toString(num));
    }

    private static String ipv4(long a) {
        return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
