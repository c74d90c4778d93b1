package lsk.doctor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client's upcall: request-key(8) installed, a {@code create lgssc} line in its
 * configuration (/etc/request-key.d/*.conf, then /etc/request-key.conf) whose program root may
 * run, and, when that program is lsk's {@code lgss_keyring} script (sk only), a Lustre C
 * {@code lgss_keyring} it hands krb5 and gssnull keys to, found as scripts/lgss_keyring finds it.
 */
final class RequestKeyChecks {
    static final String REQUEST_KEY = "request-key", LINE = "request-key lgssc", PROGRAM = "lgssc program",
            OTHER_MECHS = "krb5/gssnull handler";
    /** Where scripts/lgss_keyring looks for Lustre's own tool, in order. */
    static final List<String> C_TOOLS = List.of("/usr/sbin/lgss_keyring.lustre", "/usr/sbin/lgss_keyring");
    private static final int MAX_CONF = 1 << 20;

    private final Node node;

    RequestKeyChecks(Node node) {
        this.node = node;
    }

    /** A matching line: where it is and its program. */
    record Line(String where, String program) {
    }

    void run(List<Finding> out) {
        Path rk = node.fs("/sbin/request-key");
        if (Files.isExecutable(rk)) {
            out.add(Finding.ok(REQUEST_KEY, "/sbin/request-key"));
        } else {
            out.add(Finding.problem(REQUEST_KEY, "/sbin/request-key is not installed: the kernel runs no upcall for"
                    + " Lustre GSS keys", "install keyutils (apt-get install keyutils / dnf install keyutils)"));
        }
        Optional<Line> line;
        try {
            line = find();
        } catch (IOException e) {
            out.add(Finding.problem(LINE, "cannot read the request-key configuration: " + e.getMessage(),
                    "make /etc/request-key.conf and /etc/request-key.d readable"));
            out.add(Finding.skip(PROGRAM, "no lgssc line"));
            out.add(Finding.skip(OTHER_MECHS, "no lgssc line"));
            return;
        }
        if (line.isEmpty()) {
            out.add(Finding.problem(LINE, "no 'create lgssc' line in /etc/request-key.d/*.conf or /etc/request-key.conf:"
                    + " Lustre GSS keys (sk, krb5, gssnull) cannot be made, mounts with those flavors fail",
                    "cp lustre-keys/lgssc.conf /etc/request-key.d/ (its lgss_keyring path where lsk is installed)"));
            out.add(Finding.skip(PROGRAM, "no lgssc line"));
            out.add(Finding.skip(OTHER_MECHS, "no lgssc line"));
            return;
        }
        Line l = line.get();
        out.add(Finding.ok(LINE, l.where() + " runs " + l.program()));
        Path prog = node.fs(l.program());
        Optional<String> bad;
        try {
            bad = l.program().startsWith("/") ? FileFacts.untrustedProgram(node, prog)
                    : Optional.of(l.program() + " is not an absolute path");
        } catch (IOException e) {
            bad = Optional.of(l.program() + ": " + e.getMessage());
        }
        if (bad.isPresent()) {
            boolean missing = bad.get().endsWith("does not exist");
            out.add(Finding.problem(PROGRAM, bad.get() + (missing ? "" : ": request-key runs it as root"),
                    missing ? "install lsk (its lgss_keyring) there or correct the line in " + l.where()
                            : "make it and its directories root's and writable by root only (chown root:root, chmod go-w)"));
            out.add(Finding.skip(OTHER_MECHS, "the lgssc program is not usable"));
            return;
        }
        out.add(Finding.ok(PROGRAM, l.program() + " (root's, writable by root only)"));
        out.add(otherMechs(prog));
    }

    private Finding otherMechs(Path prog) {
        if (FileFacts.isElf(prog)) {
            return Finding.ok(OTHER_MECHS, node.named(prog) + " is a native program (Lustre's lgss_keyring handles"
                    + " krb5 and gssnull itself)");
        }
        List<String> why = new ArrayList<>();
        for (String c : C_TOOLS) {
            Path p = node.fs(c);
            try {
                Optional<String> bad = FileFacts.untrustedProgram(node, p);
                if (bad.isPresent()) {
                    why.add(bad.get());
                } else if (!FileFacts.isElf(p) || p.toRealPath().equals(prog.toRealPath())) {
                    why.add(c + " is not Lustre's (not a native program)");
                } else {
                    return Finding.ok(OTHER_MECHS, "lsk's lgss_keyring hands krb5 and gssnull keys to " + c);
                }
            } catch (IOException e) {
                why.add(c + ": " + e.getMessage());
            }
        }
        return Finding.problem(OTHER_MECHS, "lsk's lgss_keyring handles sk only and finds no Lustre lgss_keyring for"
                + " krb5 and gssnull (" + String.join("; ", why) + "): those keys are refused",
                "install Lustre's lgss_keyring as /usr/sbin/lgss_keyring.lustre (root's, mode 0755)");
    }

    /** The first {@code create lgssc} line, request-key.d files in name order first. */
    Optional<Line> find() throws IOException {
        List<Path> files = new ArrayList<>();
        Path d = node.fs("/etc/request-key.d");
        if (Files.isDirectory(d)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "*.conf")) {
                s.forEach(files::add);
            }
            files.sort(null);
        }
        files.add(node.fs("/etc/request-key.conf"));
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            String[] lines = FileFacts.readText(f, MAX_CONF).split("\n");
            for (int i = 0; i < lines.length; i++) {
                String t = lines[i].strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                // op type description callout-info program args... (request-key.conf(5))
                String[] w = t.split("\\s+");
                if (w.length >= 5 && (w[0].equals("create") || w[0].equals("*")) && w[1].equals("lgssc")) {
                    return Optional.of(new Line(node.named(f) + ":" + (i + 1), w[4]));
                }
            }
        }
        return Optional.empty();
    }
}
