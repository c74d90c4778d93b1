package lsk.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The diagnostic commands' option rules, on top of getopt_long's. */
class ToolArgsTest {
    private static final List<String> NAMES = List.of("server-key", "server-random", "token");

    private static String refusal(String... args) {
        return assertThrows(ToolArgs.UsageException.class, () -> ToolArgs.parse("t", List.of(args), NAMES))
                .getMessage();
    }

    @Test
    void valuesSeparateOrAttached() throws Exception {
        ToolArgs a = ToolArgs.parse("t", List.of("--server-key", "--token", "--token=", "--server-random", "-1"),
                NAMES);
        assertEquals(Optional.of("--token"), a.get("server-key"));
        assertEquals("", a.required("token"));
        assertEquals(Optional.of("-1"), a.get("server-random"));
    }

    @Test
    void everyRuleBroken() {
        assertEquals("unrecognized option '--bogus'", refusal("--bogus", "1"));
        assertEquals("option '--token' requires an argument", refusal("--token"));
        assertEquals("option --token given twice", refusal("--token", "a", "--token=b"));
        assertEquals("unexpected argument 'x'", refusal("--token", "a", "x"));
        assertEquals("invalid option -- 'x'", refusal("-x"));
        assertEquals("option '--server' is ambiguous; possibilities: '--server-key' '--server-random'",
                refusal("--server", "a"));
        assertEquals("missing option --server-key",
                assertThrows(ToolArgs.UsageException.class,
                        () -> ToolArgs.parse("t", List.of(), NAMES).required("server-key")).getMessage());
    }
}
