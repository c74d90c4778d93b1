package lsk.handshake;

import java.util.OptionalLong;

/**
 * Minimal LNet NID parser for MGC targets ({@code MGC<nid>}), until lsk.lnet is merged:
 * {@code a.b.c.d[@tcpN|@o2ibN]} (no {@code @} means tcp network 0) and {@code N@loN}.
 * NID u64 = (LND type << 48) | (network << 32) | address.
 */
final class Nids {
    private static final int TCP = 2;
    private static final int O2IB = 5;
    private static final int LO = 9;

    private Nids() {
    }

    static OptionalLong parse(String s) {
        int at = s.indexOf('@');
        String addr = at < 0 ? s : s.substring(0, at);
        String net = at < 0 ? "tcp" : s.substring(at + 1);
        int type;
        String num;
        if (net.startsWith("tcp")) {
            type = TCP;
            num = net.substring(3);
        } else if (net.startsWith("o2ib")) {
            type = O2IB;
            num = net.substring(4);
        } else if (net.startsWith("lo")) {
            type = LO;
            num = net.substring(2);
        } else {
            return OptionalLong.empty();
        }
        long netNum = 0;
        if (!num.isEmpty()) {
            if (!num.chars().allMatch(Character::isDigit) || num.length() > 5) {
                return OptionalLong.empty();
            }
            netNum = Long.parseLong(num);
            if (netNum > 0xFFFF) {
                return OptionalLong.empty();
            }
        }
        long a;
        if (type == LO) {
            if (!addr.equals("0")) {
                return OptionalLong.empty();
            }
            a = 0;
        } else {
            String[] parts = addr.split("\\.", -1);
            if (parts.length != 4) {
                return OptionalLong.empty();
            }
            a = 0;
            for (String p : parts) {
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                    return OptionalLong.empty();
                }
                int v = Integer.parseInt(p);
                if (v > 255) {
                    return OptionalLong.empty();
                }
                a = (a << 8) | v;
            }
        }
        return OptionalLong.of(((long) type << 48) | (netNum << 32) | a);
    }
}
