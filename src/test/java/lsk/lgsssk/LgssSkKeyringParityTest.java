package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The keyring cases of the C parity vectors ({@code lgss_sk_parity}, every case whose keyring
 * listing shows a loaded key) run through {@code scripts/lgss_sk} as the vectors were made: a
 * fresh directory, umask 022, a private user keyring ({@code unshare -U -r --fork keyctl
 * session -}), {@code kr_dump} after each step. Exit codes, stdout, stderr and the keyring
 * listing must be C's, normalised as the vectors' README says (serials, rotation timestamps,
 * ticking timeouts).
 *
 * <p>Deliberate deviations, each applied explicitly to C's expectation and nowhere else:
 * <ul>
 * <li><b>Key permissions</b> (issue 10 item 1): C sets {@value #C_PERM} (every local user may
 *     view, read, update, revoke, link and setattr the shared key); lsk sets {@value #LSK_PERM},
 *     possessor and owner only. The case must have shown C's mask for the swap to apply.</li>
 * <li><b>Generated primes</b>: a client key's prime is random (in C and lsk), so the payload
 *     hash of a key holding one is not compared.</li>
 * </ul>
 */
class LgssSkKeyringParityTest {
    static final String C_PERM = "3f3f3f3f";
    static final String LSK_PERM = "3f3f0000";
    /** Cases where a prime is generated, so payload hashes of client keys differ. */
    static final Set<String> GENERATED_PRIME = Set.of("l31_ascii_server_as_client",
            "l35_R_client_as_loaded_by_conversion", "s101_sequence");

    @TempDir
    Path tmp;

    static List<String> cases() {
        return List.of("l01_tf_server", "l03_client", "l05_mgs_server", "l13_suffix_x", "l25_session_perm",
                "l27_R_other_payload", "l29_type_mgs_on_server", "l31_ascii_server_as_client",
                "l35_R_client_as_loaded_by_conversion", "s101_sequence", "u23_l_and_w", "x13_long_desc_suffix");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void keyringCaseAsCButOwnerOnlyPermissions(String name) throws Exception {
        JsonObject c = Vectors.json("lgss_sk_parity/cases/" + name + ".json").getAsJsonObject();
        JsonArray steps = c.getAsJsonArray("steps");
        JsonArray want = c.getAsJsonObject("c").getAsJsonArray("steps");
        Path dir = Files.createDirectory(tmp.resolve("case"));
        Path cap = Files.createDirectory(tmp.resolve("cap"));
        setUp(c.getAsJsonObject("setup"), dir);
        Files.writeString(tmp.resolve("run.sh"), script(steps, dir, cap));

        ProcessBuilder pb = new ProcessBuilder("unshare", "-U", "-r", "--fork", "keyctl", "session", "-",
                "bash", tmp.resolve("run.sh").toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("harness.log").toFile());
        pb.environment().put("LSK_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("LANG", "C.UTF-8");
        pb.environment().remove("LSK_ARGV0");
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "case did not finish");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("harness.log")));

        boolean sawCPerm = false;
        Map<String, String> cSerials = new HashMap<>();
        Map<String, String> ourSerials = new HashMap<>();
        for (int i = 0; i < want.size(); i++) {
            JsonObject w = want.get(i).getAsJsonObject();
            String where = name + " step " + i + ": " + steps.get(i).getAsJsonObject().get("cmd").getAsString();
            sawCPerm |= (w.get("kr").getAsString() + w.get("out").getAsString()).contains(C_PERM);
            assertEquals(w.get("rc").getAsString(), read(cap, i + ".rc"), where);
            String out = read(cap, i + ".out");
            assertEquals(expected(w.get("out").getAsString(), name, cSerials), norm(out, name, ourSerials), where);
            assertEquals(expected(w.get("err").getAsString(), name, cSerials),
                    norm(read(cap, i + ".err"), name, ourSerials), where);
            // Payloads are the file's bytes, those after a text field's NUL included, as in C.
            String kr = w.get("kr").getAsString();
            assertEquals(expected(kr, name, cSerials),
                    norm(read(cap, i + ".kr"), name, ourSerials), where);
        }
        assertTrue(sawCPerm, name + ": C's listing no longer shows " + C_PERM + "; revisit this test");
    }

    /** Copies the case's inputs with their modes, and makes its directories. */
    private static void setUp(JsonObject setup, Path dir) throws Exception {
        for (JsonElement f : setup.getAsJsonArray("files")) {
            JsonArray a = f.getAsJsonArray();
            Path to = dir.resolve(a.get(1).getAsString());
            Files.copy(Vectors.path("lgss_sk_parity/inputs/" + a.get(0).getAsString()), to);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(rwx(a.get(2).getAsInt())));
        }
        for (JsonElement d : setup.getAsJsonArray("dirs")) {
            Files.createDirectories(dir.resolve(d.getAsString()));
        }
    }

    private static String rwx(int mode) {
        StringBuilder sb = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int m = mode >> shift;
            sb.append((m & 4) != 0 ? 'r' : '-').append((m & 2) != 0 ? 'w' : '-').append((m & 1) != 0 ? 'x' : '-');
        }
        return sb.toString();
    }

    /** The vectors' harness, as its README gives it (one robustness change, commented). */
    private static String script(JsonArray steps, Path dir, Path cap) {
        Path sk = Path.of(System.getProperty("lsk.basedir", ".")).toAbsolutePath().resolve("scripts/lgss_sk");
        StringBuilder sb = new StringBuilder();
        sb.append("umask 022\ncd '").append(dir).append("' || exit 1\nSK='").append(sk).append("'\n");
        sb.append("kr_dump() {\n  echo \"== keyring after step $1\"\n"
                + "  for k in $(keyctl rlist @u 2>/dev/null); do\n"
                + "    d=$(keyctl rdescribe $k 2>/dev/null)\n"
                + "    pl=$(keyctl pipe $k 2>/dev/null | sha256sum | cut -c1-16)\n"
                + "    psz=$(keyctl pipe $k 2>/dev/null | wc -c)\n"
                // The README's line, but the first user key of that serial only: with keys coming and going
                // on the host, /proc/keys has been seen listing a serial twice.
                + "    pk=$(awk -v id=$(printf '%08x' $k) '$1==id && $8==\"user\" {print $4\" \"$5; exit}' /proc/keys)\n"
                + "    echo \"key $k desc=[$d] payload_sha=$pl size=$psz proc_timeout_perm=[$pk]\"\n"
                + "  done | sort -t'[' -k2\n"
                + "  echo \"@s contains @u: $(keyctl rlist @s 2>/dev/null | tr ' ' '\\n' | grep -cx \"$(keyctl id @u"
                + " 2>/dev/null)\")\"\n}\n");
        for (int i = 0; i < steps.size(); i++) {
            JsonObject s = steps.get(i).getAsJsonObject();
            String stdin = s.get("stdin").isJsonNull() ? "/dev/null" : s.get("stdin").getAsString();
            sb.append("( ").append(s.get("cmd").getAsString()).append(" ) < ").append(stdin)
                    .append(" > '").append(cap).append('/').append(i).append(".out' 2> '").append(cap).append('/')
                    .append(i).append(".err'\necho $? > '").append(cap).append('/').append(i).append(".rc'\n")
                    .append("kr_dump ").append(i).append(" > '").append(cap).append('/').append(i).append(".kr'\n");
        }
        return sb.toString();
    }

    private static String read(Path cap, String f) throws Exception {
        return new String(Files.readAllBytes(cap.resolve(f)), StandardCharsets.ISO_8859_1);
    }

    /** C's text with the deliberate permission deviation applied, then normalised. */
    private static String expected(String c, String name, Map<String, String> serials) {
        return norm(c.replace(C_PERM, LSK_PERM), name, serials);
    }

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{8}_\\d{6}_\\d{6}");
    private static final Pattern SERIAL = Pattern.compile("\\b\\d{6,10}\\b");
    private static final Pattern TIMEOUT = Pattern.compile("proc_timeout_perm=\\[(\\S+) ");
    private static final Pattern PAYLOAD = Pattern.compile("payload_sha=[0-9a-f]{16}");

    /** Serials become K1, K2 ... in order of first appearance; timestamps TS; running timeouts T. */
    private static String norm(String s, String name, Map<String, String> serials) {
        s = TIMESTAMP.matcher(s).replaceAll("TS");
        Matcher m = SERIAL.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String k = serials.computeIfAbsent(m.group(), x -> "K" + (serials.size() + 1));
            m.appendReplacement(sb, k);
        }
        m.appendTail(sb);
        s = TIMEOUT.matcher(sb).replaceAll(r -> r.group(1).equals("perm") ? r.group() : "proc_timeout_perm=[T ");
        if (GENERATED_PRIME.contains(name)) {
            s = PAYLOAD.matcher(s).replaceAll("payload_sha=P");
        }
        return s;
    }
}
