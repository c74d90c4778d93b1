package lsk.lnet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * LNet NIDs as u64 and their string form, as libcfs_str2nid / libcfs_nid2str treat them:
 * {@code (lnd type << 48) | (net number << 32) | address}.
 *
 * <p>Parsing rules that matter for compatibility: a NID without {@code @net} is on tcp0;
 * the net name is lower case ({@code TCP} is refused); an IPv4 address may have leading
 * blanks (C's sscanf skips them) but nothing after it; a name that starts with a letter is
 * resolved to an IPv4 address (getaddrinfo in C, {@link InetAddress} here). Net number 0
 * prints without a number ({@code @tcp0} prints {@code @tcp}).
 */
public final class Nid {
    /** LNET_NID_ANY: what a failed parse returns and what marks an unused slot. */
    public static final long ANY = -1L;

    /** The LND types lsk knows, with their name in NID strings and their address form. */
    public enum Lnd {
        TCP(2, "tcp", true),
        O2IB(5, "o2ib", true),
        LO(9, "lo", false),
        GNI(13, "gni", false),
        PTL4(15, "ptlf", false),
        KFI(16, "kfi", false),
        EFA(18, "efa", true);

        final int type;
        final String name;
        final boolean ipAddress;

        Lnd(int type, String name, boolean ipAddress) {
            this.type = type;
            this.name = name;
            this.ipAddress = ipAddress;
        }

        public int type() {
            return type;
        }

        public String netName() {
            return name;
        }

        static Lnd byType(int t) {
            for (Lnd l : values()) {
                if (l.type == t) {
                    return l;
                }
            }
            return null;
        }
    }

    private Nid() {
    }

    public static long make(Lnd lnd, long netNum, long addr) {
        return ((long) lnd.type << 48) | ((netNum & 0xFFFF) << 32) | (addr & 0xFFFFFFFFL);
    }

    /** libcfs_str2nid: the NID, or {@link #ANY} if the string is not one. Host names are resolved. */
    public static long parse(String s) {
        return parse(s, true);
    }

    /**
     * As {@link #parse(String)}, but never resolves a host name: for NIDs a network peer sends
     * (an MGC target), where a name lookup would let any client make the daemon query DNS.
     */
    public static long parseNumeric(String s) {
        return parse(s, false);
    }

    private static long parse(String s, boolean resolve) {
        int at = s.lastIndexOf('@');
        Lnd lnd;
        long netNum;
        String addrPart;
        if (at < 0) {
            lnd = Lnd.TCP;
            netNum = 0;
            addrPart = s;
        } else {
            String net = s.substring(at + 1);
            lnd = null;
            netNum = -1;
            for (Lnd l : Lnd.values()) {
                if (net.startsWith(l.name)) {
                    String num = net.substring(l.name.length());
                    if (num.isEmpty()) {
                        netNum = 0;
                    } else if (num.chars().allMatch(c -> c >= '0' && c <= '9') && num.length() <= 5) {
                        netNum = Long.parseLong(num);
                    } else {
                        continue;
                    }
                    if (netNum > 0xFFFF) {
                        return ANY;
                    }
                    lnd = l;
                    break;
                }
            }
            if (lnd == null) {
                return ANY;
            }
            addrPart = s.substring(0, at);
        }
        long addr = lnd.ipAddress ? parseIp(addrPart, resolve) : parseNum(addrPart);
        return addr < 0 ? ANY : make(lnd, netNum, addr);
    }

    /** libcfs_nid2str. */
    public static String format(long nid) {
        if (nid == ANY) {
            return "<?>";
        }
        int type = (int) (nid >>> 48) & 0xFFFF;
        int num = (int) (nid >>> 32) & 0xFFFF;
        long addr = nid & 0xFFFFFFFFL;
        Lnd lnd = Lnd.byType(type);
        if (lnd == null) {
            return Long.toHexString(addr) + "@<" + type + ":" + num + ">";
        }
        String a = lnd.ipAddress
                ? ((addr >>> 24) & 0xFF) + "." + ((addr >>> 16) & 0xFF) + "." + ((addr >>> 8) & 0xFF) + "." + (addr & 0xFF)
                : Long.toString(addr);
        return a + "@" + lnd.name + (num == 0 ? "" : Integer.toString(num));
    }

    /** Dotted quad as C's sscanf("%u.%u.%u.%u") reads it (leading blanks allowed), else a host name. */
    private static long parseIp(String s, boolean resolve) {
        long v = dottedQuad(s);
        if (v >= 0) {
            return v;
        }
        if (resolve && isHostName(s)) {
            try {
                for (InetAddress a : InetAddress.getAllByName(s)) {
                    if (a instanceof Inet4Address) {
                        byte[] b = a.getAddress();
                        return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
                    }
                }
            } catch (UnknownHostException | SecurityException e) {
                return -1;
            }
        }
        return -1;
    }

    private static long dottedQuad(String s) {
        int i = 0;
        long v = 0;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (i >= s.length() || s.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
            while (i < s.length() && isCSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            long n = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                n = n * 10 + (s.charAt(i) - '0');
                if (n > 255) {
                    return -1;
                }
                i++;
            }
            if (i == start) {
                return -1;
            }
            v = (v << 8) | n;
        }
        return i == s.length() ? v : -1;
    }

    /** RFC 952/1123 style: starts with a letter, then letters, digits, '-' and '.'. */
    private static boolean isHostName(String s) {
        if (s.isEmpty() || s.length() > 253 || !isAsciiLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** A plain number address (lo, gni, ptlf, kfi): decimal or 0x hex, nothing else. */
    private static long parseNum(String s) {
        try {
            long v;
            if (s.startsWith("0x") || s.startsWith("0X")) {
                if (s.length() == 2 || s.length() > 10) {
                    return -1;
                }
                v = Long.parseLong(s.substring(2), 16);
            } else {
                if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return -1;
                }
                v = Long.parseLong(s);
            }
            return v > 0xFFFFFFFFL ? -1 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }
}
