package lsk.lgsssk;

import java.util.List;
import lsk.keyfile.KeyConfig;
import lsk.lnet.Nid;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;

/**
 * The text {@code lgss_sk} prints, byte for byte the C tool's: the {@code -r} attribute block,
 * the hex dumps of key and prime, and the usage. Text only; the caller picks the stream (C
 * sends the dumps to stderr and the rest to stdout).
 */
final class Printer {
    private Printer() {
    }

    /** The {@code -r} block from "Version:" to "Shared key:" (names as one char per byte). */
    static String attributes(KeyConfig c) {
        StringBuilder sb = new StringBuilder();
        sb.append("Version:        ").append(c.version()).append('\n');
        sb.append("Type:          ");
        if (c.isMgs()) {
            sb.append(" mgs");
        }
        if (c.isServer()) {
            sb.append(" server");
        }
        if (c.isClient()) {
            sb.append(" client");
        }
        sb.append('\n');
        sb.append("HMAC alg:       ").append(HmacAlg.byId(c.hmacAlg()).map(HmacAlg::kernelName).orElse("(null)"))
                .append('\n');
        sb.append("Crypto alg:     ").append(CryptAlg.byId(c.cryptAlg()).map(CryptAlg::kernelName).orElse("(null)"))
                .append('\n');
        sb.append("Ctx Expiration: ").append(c.expire()).append(" seconds\n");
        sb.append("Shared keylen:  ").append(c.sharedKeyLenBits()).append(" bits\n");
        sb.append("Prime length:   ").append(c.primeBits()).append(" bits\n");
        sb.append("File system:    ").append(c.fsname()).append('\n');
        sb.append("MGS NIDs:      ");
        for (long nid : c.usedMgsNids()) {
            sb.append(' ').append(Nid.format(nid));
        }
        sb.append('\n');
        sb.append("Nodemap name:   ").append(c.nodemap()).append('\n');
        sb.append("Shared key:\n");
        return sb.toString();
    }

    /**
     * print_hex: offset, 16 bytes as 2-byte hex groups, then the bytes again as text with '.'
     * for anything unprintable (C's dump format, not {@link lsk.base.Printable}'s masking).
     */
    static String hexDump(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i += 16) {
            sb.append(String.format("  %04x: ", i));
            int n = Math.min(16, b.length - i);
            for (int j = 0; j < 16; j++) {
                if (j < n) {
                    sb.append(String.format("%02x", b[i + j] & 0xff));
                } else {
                    sb.append("  ");
                }
                if (j % 2 == 1) {
                    sb.append(' ');
                }
            }
            sb.append(' ');
            for (int j = 0; j < n; j++) {
                int c = b[i + j] & 0xff;
                sb.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String usage(String prog) {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage ").append(prog).append(" [OPTIONS] {-l|-m|-r|-w} <keyfile>\n");
        sb.append("-l|--load       <keyfile>\tLoad key from file into user's session keyring\n");
        sb.append("-m|--modify     <keyfile>\tModify keyfile's attributes\n");
        sb.append("-r|--read       <keyfile>\tShow keyfile's attributes\n");
        sb.append("-R|--remove     <keyfile>\tRemove key from user's session keyring\n");
        sb.append("-w|--write      <keyfile>\tGenerate keyfile\n\n");
        sb.append("Modify/Write Options:\n");
        sb.append("-a|--ascii      <keyfile>\tOutput key in ASCII-encoded format\n");
        sb.append("-c|--crypt      <num>\tCipher for encryption (Default: AES Counter mode)\n");
        for (String n : List.of("NONE", "ctr(aes)", "AES-256-CTR")) {
            sb.append("                        ").append(n).append('\n');
        }
        sb.append("-i|--hmac       <num>\tHash algorithm for integrity (Default: SHA256)\n");
        for (String n : List.of("NONE", "sha256", "SHA256", "sha512", "SHA512")) {
            sb.append("                        ").append(n).append('\n');
        }
        sb.append("-e|--expire     <num>\tSeconds before contexts from key expire (Default: ")
                .append(KeyEdit.DEFAULT_EXPIRE).append(" seconds (7 days))\n");
        sb.append("-f|--fsname     <name>\tFile system name for key\n");
        sb.append("-g|--mgsnids    <nids>\tComma seperated list of MGS NIDs.  Only required when mgssec is used"
                + " (Default: \"\")\n");
        sb.append("-n|--nodemap    <name>\tNodemap name for key (Default: \"default\")\n");
        sb.append("-p|--prime-bits <len>\tPrime length (p) for DHKE in bits (Default: ")
                .append(KeyEdit.DEFAULT_PRIME_BITS).append(")\n");
        sb.append("-t|--type       <type>\tKey type (mgs, server, client)\n");
        sb.append("-k|--key-bits   <len>\tShared key length in bits (Default: ").append(KeyEdit.DEFAULT_KEYLEN)
                .append(")\n");
        sb.append("-d|--data       <file>\tKey data source for new keys (Default: /dev/random)\n");
        sb.append("                        Not a seed value. This is the actual key value.\n\n");
        sb.append("Other Options:\n");
        sb.append("-s|--suffix\t   When loading a server key, do not replace the key and instead add a"
                + " timestamp-suffix to the key description. This option can only be used with the '-l'"
                + " argument.\n");
        sb.append("-u|--update     <dir>\tOnly when loading a key, mount path to update the key for\n");
        sb.append("-v|--verbose           Increase verbosity for errors\n");
        sb.append("-x|--timeout    <num>  When loading a server key, set a timeout of num seconds on former keys"
                + " with same descriptor. This option can only be used with the '-s' argument; 2 days by"
                + " default.\n");
        sb.append("\nlsk options:\n");
        sb.append("--random-prime         Client keys: generate a fresh random safe prime (g = 2, as the C tool\n"
                + "                        does) instead of the RFC 7919 ffdhe prime of the same size. Sizes\n"
                + "                        2048/3072/4096/6144/8192 use ffdhe by default; others are always random.\n");
        return sb.toString();
    }
}
