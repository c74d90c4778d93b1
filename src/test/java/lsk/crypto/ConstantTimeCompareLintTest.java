package lsk.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Secrets and MACs are compared in constant time ({@code MessageDigest.isEqual}, via
 * {@link Bytes#constantTimeEquals}): no {@code Arrays.equals} or {@code Arrays.compare} in
 * main code may take an expression that names a MAC, MIC, key or secret. The token records hold
 * {@code ByteString}s now, so no file needs an exception.
 */
class ConstantTimeCompareLintTest {
    private static final Pattern CALL = Pattern.compile("Arrays\\.(equals|compare|mismatch)\\(([^;]*)");
    private static final Pattern SECRET = Pattern.compile("(?i)(mac|mic|hmac|key|secret|digest)");
    /** Files exempt from the rule (none). */
    private static final List<String> ALLOWED = List.of();

    @Test
    void secretsAreComparedInConstantTime() throws IOException {
        Path root = Path.of(System.getProperty("lsk.basedir", "."), "src", "main", "java");
        List<String> bad = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                files++;
                String rel = root.relativize(p).toString();
                if (ALLOWED.contains(rel)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = CALL.matcher(lines.get(i));
                    while (m.find()) {
                        if (SECRET.matcher(m.group(2)).find()) {
                            bad.add(rel + ":" + (i + 1) + ": " + lines.get(i).trim());
                        }
                    }
                }
            }
        }
        assertTrue(files > 20, "main sources not found under " + root);
        assertEquals(List.of(), bad, "use Bytes.constantTimeEquals / MessageDigest.isEqual");
    }

    @Test
    void patternCatchesAVariableTimeMacCompare() {
        Matcher m = CALL.matcher("if (!Arrays.equals(expectedMac, got)) {");
        assertTrue(m.find() && SECRET.matcher(m.group(2)).find());
    }
}
