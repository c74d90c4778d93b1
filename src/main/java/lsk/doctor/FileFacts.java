package lsk.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** What doctor needs to know of a file: owner, mode, whether root may run it. Never writes. */
final class FileFacts {
    static final int TYPE_MASK = 0170000, TYPE_REG = 0100000, TYPE_DIR = 0040000, TYPE_SOCK = 0140000;
    static final int GROUP_OTHER_WRITE = 0022;

    private FileFacts() {
    }

    /** st_uid, st_gid, st_mode. */
    record Stat(int uid, int gid, int mode) {
        int perm() {
            return mode & 07777;
        }

        int type() {
            return mode & TYPE_MASK;
        }

        String octal() {
            return FileFacts.octal(mode);
        }
    }

    static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }

    /** The file's facts, links followed or not; empty when it does not exist. */
    static Optional<Stat> stat(Path p, boolean follow) throws IOException {
        try {
            Map<String, Object> a = follow ? Files.readAttributes(p, "unix:uid,gid,mode")
                    : Files.readAttributes(p, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
            return Optional.of(new Stat((Integer) a.get("uid"), (Integer) a.get("gid"), (Integer) a.get("mode")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Why root should not run {@code program} (a path under the node's root), or empty when it
     * may: it exists, is a regular executable file, and it and every directory from the node's
     * root down to it (links resolved) are root's and writable by no one else, the rule
     * scripts/lgss_keyring applies to the tools it runs (doctor does not grant root's group
     * write, as that script does: nothing that root runs needs it).
     */
    static Optional<String> untrustedProgram(Node node, Path program) throws IOException {
        if (stat(program, true).isEmpty()) {
            return Optional.of(node.named(program) + " does not exist");
        }
        Path real = program.toRealPath();
        Path top = node.fsRoot().toRealPath();
        if (!real.startsWith(top)) {
            return Optional.of(node.named(program) + " leads outside the node's root, to " + real);
        }
        Stat s = stat(real, false).orElseThrow(() -> new NoSuchFileException(real.toString()));
        if (s.type() != TYPE_REG || (s.perm() & 0111) == 0) {
            return Optional.of(node.named(real) + " is not an executable file (mode " + s.octal() + ")");
        }
        for (Path p = real; p != null && p.startsWith(top); p = p.getParent()) {
            Stat d = stat(p, false).orElseThrow(() -> new NoSuchFileException(real.toString()));
            if (d.uid() != 0) {
                return Optional.of(node.named(p) + " is owned by uid " + d.uid() + ", not root");
            }
            if ((d.perm() & GROUP_OTHER_WRITE) != 0) {
                return Optional.of(node.named(p) + " is writable by " + ((d.perm() & 0002) != 0 ? "others" : "its group")
                        + " (mode " + d.octal() + ")");
            }
        }
        return Optional.empty();
    }

    /** Whether {@code p} starts with the ELF magic (a native binary, not a script). */
    static boolean isElf(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /** At most {@code max} bytes of a small text file (parameter, conf, sysconfig). */
    static String readText(Path p, int max) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readNBytes(max), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
