package lsk.cmd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The getopt_long work-alike, against glibc's behaviour and wording. */
class GetoptTest {
    static final List<Getopt.LongOpt> LONG = List.of(
            new Getopt.LongOpt("fsname", true, 'f'),
            new Getopt.LongOpt("hmac", true, 'i'),
            new Getopt.LongOpt("integrity", true, 'i'),
            new Getopt.LongOpt("help", false, 'h'),
            new Getopt.LongOpt("shared", true, 'k'),
            new Getopt.LongOpt("suffix", false, 's'),
            new Getopt.LongOpt("verbose", false, 'v'));

    static String events(String... args) {
        Getopt.Result r = Getopt.parse("prog", List.of(args), "af:hi:k:sv", LONG, false);
        return r.events().stream().map(e -> e.val() == '?' ? "?" + e.error().trim()
                : (char) e.val() + (e.arg() == null ? "" : "=" + e.arg())).collect(Collectors.joining(" "))
                + " | " + String.join(" ", r.operands());
    }

    @Test
    void shortForms() {
        assertEquals("f=tank v v v a | ", events("-ftank", "-vvv", "-a"));
        assertEquals("v f=tank | ", events("-vf", "tank"));
        assertEquals("f=-v | ", events("-f", "-v"));
    }

    @Test
    void permutationAndDoubleDash() {
        assertEquals("v f=x | junk more", events("junk", "-v", "-f", "x", "more"));
        assertEquals("v | -f x", events("-v", "--", "-f", "x"));
        assertEquals(" | -", events("-"));
    }

    @Test
    void longForms() {
        assertEquals("f=tank f=fs i=sha256 | ", events("--fsname", "tank", "--fs=fs", "--integ=sha256"));
        assertEquals("h | ", events("--help"));
        // --h is a prefix of help and hmac (different options): ambiguous.
        assertEquals("?prog: option '--h' is ambiguous; possibilities: '--hmac' '--help' | ", events("--h"));
        assertEquals("?prog: option '--s=1' is ambiguous; possibilities: '--shared' '--suffix' | ", events("--s=1"));
    }

    @Test
    void diagnostics() {
        assertEquals("?prog: invalid option -- 'z' | ", events("-z"));
        assertEquals("?prog: option requires an argument -- 'f' | ", events("-f"));
        assertEquals("?prog: unrecognized option '--nope=1' | ", events("--nope=1"));
        assertEquals("?prog: option '--help' doesn't allow an argument | ", events("--help=1"));
        assertEquals("?prog: option '--fsname' requires an argument | ", events("--fsname"));
        assertEquals("?prog: invalid option -- ':' | ", events("-:"));
    }

    @Test
    void posixlyCorrectStopsAtFirstOperand() {
        Getopt.Result r = Getopt.parse("p", List.of("-v", "x", "-a"), "av", LONG, true);
        assertEquals(1, r.events().size());
        assertEquals(List.of("x", "-a"), r.operands());
    }
}
