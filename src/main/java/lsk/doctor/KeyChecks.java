package lsk.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyfile.KeyFiles;
import lsk.keyfile.KeyValidation;
import lsk.keyring.Keyring;
import lsk.keys.LoadedKeys;
import lsk.keys.ProcKeys;

/**
 * SSK keys: the key files (owner-only and root's, complete, valid: what mount.lustre's
 * {@code skpath=} and {@code lgss_sk -l} need) and the keys loaded in root's user keyring
 * (description, type, context expiry from the payload, keyring timeout; an expired key is a
 * problem). Key bytes are read only to decode those fields and wiped at once, never printed.
 * What the keys say also tells the node's {@link Role}.
 */
final class KeyChecks {
    static final String LOADED = "loaded keys", FILES = "key files";
    static final String DEFAULT_DIR = "/etc/lustre/sk";

    private final Node node;
    private boolean server;
    private boolean client;
    private int files;

    KeyChecks(Node node) {
        this.node = node;
    }

    /** What the keys seen so far say (call after {@link #files} and {@link #loaded}). */
    Role role() {
        if (server) {
            return new Role(true, "");
        }
        return client ? Role.clientOnly() : Role.UNKNOWN;
    }

    /** The paths checked: --skpath, else /etc/lustre/sk if present and LSK_KEYS_DIR of /etc/sysconfig/lsk-keys. */
    List<Path> paths() {
        if (!node.skPaths().isEmpty()) {
            return node.skPaths();
        }
        Set<Path> out = new LinkedHashSet<>();
        if (Files.exists(node.fs(DEFAULT_DIR))) {
            out.add(node.fs(DEFAULT_DIR));
        }
        Path conf = node.fs("/etc/sysconfig/lsk-keys");
        try {
            if (Files.isRegularFile(conf)) {
                for (String l : FileFacts.readText(conf, 1 << 16).split("\n")) {
                    String t = l.strip();
                    if (t.startsWith("LSK_KEYS_DIR=")) {
                        String v = t.substring(t.indexOf('=') + 1).replace("\"", "").replace("'", "").strip();
                        if (v.startsWith("/")) {
                            out.add(node.fs(v));
                        }
                    }
                }
            }
        } catch (IOException e) {
            // unreadable: the default directory alone
        }
        return List.copyOf(out);
    }

    void files(List<Finding> out) {
        List<Path> paths = paths();
        if (paths.isEmpty()) {
            out.add(Finding.skip(FILES, "none named (--skpath), no " + DEFAULT_DIR + ", no LSK_KEYS_DIR in /etc/sysconfig/lsk-keys"));
            return;
        }
        for (Path p : paths) {
            String name = node.named(p);
            try {
                Optional<FileFacts.Stat> s = FileFacts.stat(p, true);
                if (s.isEmpty()) {
                    out.add(Finding.problem("key path " + name, "does not exist", "create it or correct LSK_KEYS_DIR / --skpath"));
                } else if (s.get().type() == FileFacts.TYPE_DIR) {
                    directory(p, s.get(), out);
                } else {
                    out.add(file(p));
                }
            } catch (AccessDeniedException e) {
                out.add(Finding.skip("key path " + name, "needs root (" + e.getMessage() + ")"));
            } catch (IOException e) {
                out.add(Finding.problem("key path " + name, e.getMessage(), "check the path"));
            }
        }
    }

    /** The directory, then each entry as mount.lustre takes them: regular files loaded, the rest skipped. */
    private void directory(Path dir, FileFacts.Stat st, List<Finding> out) throws IOException {
        String name = node.named(dir);
        if (st.uid() != 0 || (st.perm() & FileFacts.GROUP_OTHER_WRITE) != 0) {
            out.add(Finding.problem("key dir " + name, st.uid() != 0 ? "owned by uid " + st.uid()
                    : "writable by group or others (mode " + st.octal() + "): anyone may add a key file",
                    "chown root:root " + name + " && chmod 0700 " + name));
        } else {
            out.add(Finding.ok("key dir " + name, "root's, mode " + st.octal()));
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(entries::add);
        }
        entries.sort(null);
        for (Path e : entries) {
            Optional<FileFacts.Stat> es = FileFacts.stat(e, true);
            if (es.isPresent() && es.get().type() == FileFacts.TYPE_REG) {
                out.add(file(e));
            } else {
                out.add(Finding.skip("key file " + node.named(e), "not a regular file: mount.lustre skips it"));
            }
        }
    }

    /** One key file: owner, mode, complete, valid; its type recorded for the role. */
    private Finding file(Path f) {
        String name = node.named(f);
        String check = "key file " + name;
        List<String> bad = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        byte[] data;
        try {
            FileFacts.Stat st = FileFacts.stat(f, true).orElseThrow(() -> new IOException("vanished"));
            if (st.uid() != 0) {
                bad.add("owned by uid " + st.uid() + ", not root");
                fixes.add("chown root:root " + name);
            }
            if ((st.perm() & 0077) != 0) {
                bad.add("mode " + st.octal() + ": mount.lustre and lgss_sk -l need a key readable and writable by its"
                        + " owner only");
                fixes.add("chmod 0600 " + name);
            }
            try (InputStream in = Files.newInputStream(f)) {
                data = in.readNBytes(KeyFiles.MAX_READ);
            }
        } catch (AccessDeniedException e) {
            return Finding.skip(check, "needs root (" + e.getMessage() + ")");
        } catch (IOException e) {
            return Finding.problem(check, "cannot read it: " + e.getMessage(), "check the file");
        }
        files++;
        String what = "";
        try {
            KeyConfig c = KeyFiles.decode(name, data).config();
            try {
                Optional<String> invalid = KeyValidation.check(c).or(() -> KeyValidation.tooShort(c, name));
                if (invalid.isPresent()) {
                    bad.add(invalid.get());
                    fixes.add("write the key again (lgss_sk -w) and copy it to the nodes that share it");
                }
                server |= c.isServer() || c.isMgs();
                client |= c.isClient();
                what = LoadedKeys.types(c) + " key, fs " + quoted(c.fsname()) + ", nodemap " + quoted(c.nodemap())
                        + ", context expiry " + c.expire() + " s";
            } finally {
                c.wipe();
            }
        } catch (KeyFileFormatException e) {
            bad.add(e.getMessage());
            fixes.add("copy the complete key file again from where it was made (lgss_sk -r " + name + " shows what it holds)");
        } finally {
            Arrays.fill(data, (byte) 0);
        }
        if (!bad.isEmpty()) {
            return Finding.problem(check, String.join("; ", bad), String.join("; ", fixes));
        }
        return Finding.ok(check, what);
    }

    private static String quoted(String s) {
        return s.isEmpty() ? "''" : s;
    }

    /** The SSK keys in root's user keyring, and the expired ones /proc/keys still lists. */
    void loaded(List<Finding> out) {
        if (!node.isRoot()) {
            out.add(Finding.skip(LOADED, "needs root (the keys are in root's user keyring)"));
            return;
        }
        String prefix = node.keyPrefix();
        List<LoadedKeys.Entry> live;
        List<String> procLines;
        try {
            Keyring kr = Keyring.open();
            Path procKeys = node.proc().resolve("keys");
            live = LoadedKeys.list(kr, ProcKeys.read(procKeys));
            procLines = Files.readAllLines(procKeys);
        } catch (Exception e) {
            out.add(Finding.skip(LOADED, "cannot read the keyring: " + e.getMessage()));
            return;
        }
        int n = 0;
        for (LoadedKeys.Entry e : live) {
            if (!e.description().startsWith(prefix)) {
                continue;
            }
            n++;
            String check = "loaded key " + e.description();
            if (e.types().equals("-")) {
                out.add(Finding.problem(check, "serial " + e.serial() + " holds no SSK key image",
                        "keyctl unlink " + e.serial() + " @u, then load its key file again"));
                continue;
            }
            server |= e.types().contains("server") || e.types().contains("mgs");
            client |= e.types().contains("client");
            out.add(Finding.ok(check, "serial " + e.serial() + ", " + e.types() + ", fs " + quoted(e.fsname()) + ", nodemap "
                    + quoted(e.nodemap()) + ", context expiry " + e.expire() + " s, timeout " + e.timeout()));
        }
        for (String[] x : expired(procLines, prefix)) {
            n++;
            out.add(Finding.problem("loaded key " + x[1], "expired (serial " + x[0] + "): handshakes that need it fail",
                    "load its key file again (lsk keys load DIR or lgss_sk -l FILE), then keyctl unlink 0x" + x[0] + " @u"));
        }
        if (n == 0) {
            if (files > 0) {
                out.add(Finding.problem(LOADED, "no SSK keys loaded though key files exist",
                        "lsk keys load " + DEFAULT_DIR + " (or systemctl start lsk-keys)"));
            } else {
                out.add(Finding.skip(LOADED, "none loaded and no key files: this node does not use SSK"));
            }
        }
    }

    /**
     * Serial (hex) and description of the expired user keys under {@code prefix}: keyctl cannot
     * describe them any more, /proc/keys still lists them ({@code expd}) until they are collected.
     * Line: serial flags usage timeout perm uid gid type description[: summary].
     */
    static List<String[]> expired(List<String> lines, String prefix) {
        List<String[]> out = new ArrayList<>();
        for (String l : lines) {
            String[] f = l.strip().split("\\s+", 9);
            if (f.length < 9 || !f[3].equals("expd") || !f[7].equals("user")) {
                continue;
            }
            String d = f[8];
            int colon = d.lastIndexOf(": ");
            d = colon >= 0 ? d.substring(0, colon) : d;
            if (d.startsWith(prefix)) {
                out.add(new String[] {f[0], d});
            }
        }
        return out;
    }
}
