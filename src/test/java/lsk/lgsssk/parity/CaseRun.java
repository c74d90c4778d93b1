package lsk.lgsssk.parity;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one case of ../shared/vectors/lgss_sk_parity the way its README says the C side ran:
 * a fresh directory with the case's inputs, each step as {@code ( cmd ) < stdin > out 2> err}
 * from bash with umask 022 and LANG=C.UTF-8, keyring cases in a private user keyring with
 * kr_dump after each step. The captures live beside the case directory, not in it.
 */
public final class CaseRun {
    /** What one step left: exit code, streams (combined in {@code comb}), keyring listing. */
    public record Step(String rc, String out, String err, String comb, String kr) {
    }

    /** One entry left in the case directory (relative name, '/'-separated). */
    public record Entry(String type, int mode, Path path, String target) {
    }

    /** The README's kr_dump, verbatim. */
    private static final String KR_DUMP = """
            kr_dump() {
              echo "== keyring after step $1"
              for k in $(keyctl rlist @u 2>/dev/null); do
                d=$(keyctl rdescribe $k 2>/dev/null)
                pl=$(keyctl pipe $k 2>/dev/null | sha256sum | cut -c1-16)
                psz=$(keyctl pipe $k 2>/dev/null | wc -c)
                pk=$(awk -v id=$(printf '%08x' $k) '$1==id {print $4" "$5}' /proc/keys)
                echo "key $k desc=[$d] payload_sha=$pl size=$psz proc_timeout_perm=[$pk]"
              done | sort -t'[' -k2
              echo "@s contains @u: $(keyctl rlist @s 2>/dev/null | tr ' ' '\\n' | grep -cx "$(keyctl id @u 2>/dev/null)")"
            }
            """;

    public final Path dir;
    public final List<Step> steps = new ArrayList<>();
    public final Map<String, Entry> files = new TreeMap<>();

    private CaseRun(Path dir) {
        this.dir = dir;
    }

    /**
     * Runs {@code kase} under {@code work} (made fresh). {@code sk} is the tool as {@code $SK}
     * names it; {@code pathDir}, when not null, goes first in PATH (the via_path cases); a null
     * value in {@code env} removes that variable.
     */
    public static CaseRun run(JsonObject kase, Path vectors, Path work, String sk, Path pathDir, Map<String, String> env)
            throws IOException, InterruptedException {
        Path dir = work.resolve("case");
        Path cap = work.resolve("cap");
        Files.createDirectories(dir);
        Files.createDirectories(cap);
        JsonObject setup = kase.getAsJsonObject("setup");
        for (JsonElement f : setup.getAsJsonArray("files")) {
            JsonArray a = f.getAsJsonArray();
            Path to = dir.resolve(a.get(1).getAsString());
            Files.copy(vectors.resolve("inputs").resolve(a.get(0).getAsString()), to,
                    StandardCopyOption.REPLACE_EXISTING);
            Files.setAttribute(to, "unix:mode", a.get(2).getAsInt());
        }
        for (JsonElement d : setup.getAsJsonArray("dirs")) {
            Files.createDirectories(dir.resolve(d.getAsString()));
        }
        boolean keyring = kase.get("keyring").getAsBoolean();
        StringBuilder sh = new StringBuilder("umask 022\nexport LANG=C.UTF-8\ncd \"$CASE_DIR\" || exit 99\n");
        sh.append(KR_DUMP);
        JsonArray steps = kase.getAsJsonArray("steps");
        for (int i = 0; i < steps.size(); i++) {
            JsonObject s = steps.get(i).getAsJsonObject();
            JsonElement stdin = s.get("stdin");
            String in = stdin == null || stdin.isJsonNull() ? "/dev/null" : "'" + stdin.getAsString() + "'";
            String redirect = s.get("combined").getAsBoolean()
                    ? "> \"$CAP/" + i + ".comb\" 2>&1"
                    : "> \"$CAP/" + i + ".out\" 2> \"$CAP/" + i + ".err\"";
            sh.append("( ").append(s.get("cmd").getAsString()).append("\n) < ").append(in).append(' ')
                    .append(redirect).append("\necho $? > \"$CAP/").append(i).append(".rc\"\n");
            if (keyring) {
                sh.append("kr_dump ").append(i).append(" > \"$CAP/").append(i).append(".kr\" 2>&1\n");
            }
        }
        Path script = work.resolve("run.sh");
        Files.writeString(script, sh.toString());
        List<String> cmd = keyring
                ? List.of("unshare", "-U", "-r", "--fork", "keyctl", "session", "-", "bash", script.toString())
                : List.of("bash", script.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        pb.environment().put("CASE_DIR", dir.toString());
        pb.environment().put("CAP", cap.toString());
        pb.environment().put("SK", sk);
        if (pathDir != null) {
            pb.environment().put("PATH", pathDir + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        }
        pb.redirectOutput(work.resolve("harness.out").toFile()).redirectErrorStream(true);
        Process p = pb.start();
        long timeout = kase.has("timeout") ? kase.get("timeout").getAsLong() : 600;
        if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException("case timed out after " + timeout + " s");
        }
        CaseRun r = new CaseRun(dir);
        for (int i = 0; i < steps.size(); i++) {
            r.steps.add(new Step(read(cap, i + ".rc"), read(cap, i + ".out"), read(cap, i + ".err"),
                    read(cap, i + ".comb"), read(cap, i + ".kr")));
        }
        r.listFiles();
        return r;
    }

    /** A capture as C's harness stored it (bytes as ISO-8859-1 would lose UTF-8; they are UTF-8). */
    private static String read(Path cap, String name) throws IOException {
        Path f = cap.resolve(name);
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : null;
    }

    private void listFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.equals(dir)) {
                    continue;
                }
                String name = dir.relativize(p).toString();
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if (Files.isSymbolicLink(p)) {
                    files.put(name, new Entry("symlink", mode & 07777, p, Files.readSymbolicLink(p).toString()));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.put(name, new Entry("dir", mode & 07777, p, null));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.put(name, new Entry("file", mode & 07777, p, null));
                } else {
                    files.put(name, new Entry("other", mode & 07777, p, null));
                }
            }
        }
    }
}
