package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lsk.cmd.Io;
import org.junit.jupiter.api.Test;

/** lsvcgssd's options, parsed as the C daemon's getopt string {@code fgkmnoR:svz} (plus lsk's own). */
class SvcgssdCommandTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    SvcgssdCommand.Parsed parse(String... args) {
        Io io = new Io(InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Path.of("/work/dir"), Map.of());
        return SvcgssdCommand.parse(List.of(args), io);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void skWithCompatibilityOptions() {
        SvcgssdCommand.Parsed p = parse("-s", "-n", "-m", "-o", "-g", "-vv", "-f");
        assertEquals(-1, p.exit(), err());
        assertTrue(p.fg());
        assertEquals(2, p.verbose());
        assertEquals(Svcgssd.DEFAULT_SOCKET, p.socket());
        assertEquals("", err());
    }

    @Test
    void maxPrimeBits() {
        assertEquals(lsk.handshake.PrimePolicy.DEFAULT_MAX_BITS, parse("-s").primes().maxBits());
        assertEquals(4096, parse("-s", "--max-prime-bits", "4096").primes().maxBits());
        assertEquals(16384, parse("-s", "--max-prime-bits=16384").primes().maxBits());
        for (String bad : new String[] {"16385", "511", "0x1000", "-1", "", "4096k"}) {
            assertEquals(1, parse("-s", "--max-prime-bits", bad).exit(), bad);
            assertTrue(err().contains("--max-prime-bits " + bad + ": a number of bits from 512 to 16384"), err());
        }
    }

    @Test
    void realmNeedsKerberosAsInC() {
        assertEquals(1, parse("-s", "-R", "EXAMPLE.COM").exit());
        assertTrue(err().startsWith("error: need -k option if -R is used\nusage: lsvcgssd"), err());
    }

    @Test
    void kerberosWithRealmIsAcceptedAndDisabled() {
        SvcgssdCommand.Parsed p = parse("-k", "-s", "-z", "-REXAMPLE.COM");
        assertEquals(-1, p.exit());
        assertTrue(err().contains("lsk supports the sk mechanism only: disabling Kerberos support (-k)"), err());
        assertTrue(err().contains("disabling gssnull support (-z)"), err());
    }

    @Test
    void kerberosAloneLeavesNothingToServe() {
        assertEquals(1, parse("-k").exit());
        assertTrue(err().contains("no mechanism left to serve; start with -s"), err());
    }

    @Test
    void noMechanismIsAnError() {
        assertEquals(1, parse("-f").exit());
        assertTrue(err().startsWith("error: need one of -k, -s, or -z options\n"), err());
    }

    @Test
    void getoptDiagnostics() {
        assertEquals(1, parse("-s", "-x").exit());
        assertTrue(err().startsWith("lsvcgssd: invalid option -- 'x'\nusage:"), err());
        err.reset();
        assertEquals(1, parse("-s", "-R").exit());
        assertTrue(err().startsWith("lsvcgssd: option requires an argument -- 'R'\n"), err());
        err.reset();
        assertEquals(1, parse("-s", "stray").exit());
        assertTrue(err().startsWith("lsvcgssd: unexpected argument 'stray'\n"), err());
    }

    @Test
    void helpAndLongOptions() {
        assertEquals(0, parse("--help").exit());
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: lsvcgssd"));
        SvcgssdCommand.Parsed p = parse("-s", "--socket", "sock", "--param-root=root", "--lustre-version", "2.16.1");
        assertEquals(-1, p.exit());
        assertEquals(Path.of("/work/dir/sock"), p.socket());
        assertEquals(Path.of("/work/dir/root"), p.paths().root());
        assertEquals("2.16.1", p.version());
        assertFalse(p.fg());
    }
}
