package lsk.keys;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyring.KeyDescription;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;
import lsk.sk.KeyNames;

/**
 * {@code lsk keys list}: the SSK keys loaded in the user keyring ({@code user} keys with
 * {@code lustre:} descriptions, as {@code lgss_sk -l} and {@code mount.lustre skpath=} load
 * them), each with what its payload says (type, file system, nodemap, context expiry) and what
 * {@code /proc/keys} says (the keyring timeout: {@code perm}, or what is left of a former key's
 * rotation window). The payload is read only to decode those fields and wiped at once; key
 * bytes and primes are never printed.
 */
public final class LoadedKeys {
    /** A payload that is not a key file image: shown with dashes. */
    static final String UNKNOWN = "-";

    /**
     * One loaded key.
     *
     * @param types   {@code mgs}, {@code server}, {@code client} joined with {@code ,}
     * @param expire  the key's context expiry in seconds ({@code -e}), as text
     * @param timeout the /proc/keys timeout column ({@code perm}: none)
     */
    public record Entry(int serial, String description, String types, String fsname, String nodemap, String expire,
            String timeout) {
    }

    private LoadedKeys() {
    }

    /** The live SSK keys of @u in keyring order; revoked, dead or invalidated ones are left out. */
    public static List<Entry> list(Keyring kr, Map<Integer, ProcKeys> proc) throws KeyringException {
        List<Entry> out = new ArrayList<>();
        List<Integer> keys = kr.find(Keyring.USER,
                d -> d.type().equals("user") && d.description().startsWith(KeyNames.PREFIX));
        for (int k : keys) {
            ProcKeys p = proc.get(k);
            if (p == null || p.gone()) {
                continue; // gone meanwhile, or not viewable: nothing to say about it
            }
            KeyDescription d;
            try {
                d = kr.describe(k);
            } catch (KeyringException e) {
                continue;
            }
            out.add(entry(kr, k, d.description(), p.timeout()));
        }
        return out;
    }

    private static Entry entry(Keyring kr, int k, String description, String timeout) {
        byte[] payload;
        try {
            payload = kr.read(k);
        } catch (KeyringException e) {
            return new Entry(k, description, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, timeout);
        }
        try {
            if (payload.length != KeyFileCodec.SIZE) {
                return new Entry(k, description, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, timeout);
            }
            KeyConfig c = KeyFileCodec.decodeBinary(payload);
            try {
                return new Entry(k, description, types(c), c.fsname(), c.nodemap(), Long.toString(c.expire()),
                        timeout);
            } finally {
                c.wipe();
            }
        } catch (KeyFileFormatException e) {
            return new Entry(k, description, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, timeout);
        } finally {
            Arrays.fill(payload, (byte) 0);
        }
    }

    /** The type bits as lgss_sk -r names them, e.g. {@code mgs,server}. */
    public static String types(KeyConfig c) {
        List<String> t = new ArrayList<>();
        if (c.isMgs()) {
            t.add("mgs");
        }
        if (c.isServer()) {
            t.add("server");
        }
        if (c.isClient()) {
            t.add("client");
        }
        return t.isEmpty() ? UNKNOWN : String.join(",", t);
    }

    /** A table with a header line; columns padded to their widest cell. */
    static void print(List<Entry> entries, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERIAL", "DESCRIPTION", "TYPE", "FSNAME", "NODEMAP", "EXPIRE", "TIMEOUT"});
        for (Entry e : entries) {
            rows.add(new String[] {Integer.toString(e.serial()), printable(e.description()), e.types(), printable(e.fsname()),
                printable(e.nodemap()), e.expire(), e.timeout()});
        }
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(i == r.length - 1 ? r[i] : String.format("%-" + w[i] + "s  ", r[i]));
            }
            out.print(sb.toString().stripTrailing() + "\n");
        }
    }

    /** Names come from files and the keyring, not from us: no control characters on the terminal. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            sb.append(ch < 0x20 || ch == 0x7f ? '?' : ch);
        }
        return s.isEmpty() ? "''" : sb.toString();
    }
}
