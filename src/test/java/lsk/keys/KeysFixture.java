package lsk.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import lsk.Main;
import lsk.cmd.Io;
import lsk.keyring.KeyDescription;
import lsk.keyring.Keyring;

/**
 * Runs lsk commands in-process on the real kernel keyring. Root's user keyring is shared with
 * other suites (keys always go to @u), so every name carries this fixture's random tag and only
 * tagged keys are counted and removed, as the other keyring tests do.
 */
final class KeysFixture implements AutoCloseable {
    record Run(int exit, String out, String err) {
    }

    final Path dir;
    final Keyring kr;
    final String tag;
    /** Descriptions without the tag that a test made (MGC keys) and the cleanup removes too. */
    final List<String> extra = new ArrayList<>();

    KeysFixture(Path dir) throws Exception {
        this.dir = dir;
        this.kr = Keyring.open();
        this.tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        byte[] data = new byte[4096];
        ThreadLocalRandom.current().nextBytes(data);
        Files.write(dir.resolve("rand.bin"), data);
    }

    Run run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = Main.run(Arrays.asList(argv), new Io(new ByteArrayInputStream(new byte[0]), o, e, dir, Map.of()));
        }
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** lgss_sk -w FILE with the given options and random data from rand.bin. */
    void write(String file, String... opts) {
        List<String> a = new ArrayList<>(List.of("lgss_sk"));
        a.addAll(List.of(opts));
        a.addAll(List.of("-d", "rand.bin", "-w", file));
        Run r = run(a.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
    }

    /** Descriptions of this fixture's live keys in @u, sorted. */
    List<String> mine() throws Exception {
        List<String> out = new ArrayList<>();
        for (int k : kr.find(Keyring.USER, d -> d.description().contains(tag))) {
            KeyDescription d = kr.describe(k);
            out.add(d.description());
        }
        return out.stream().sorted().toList();
    }

    List<String> listing(String sub) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(sub))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void close() throws Exception {
        kr.link(Keyring.USER, Keyring.SESSION);
        for (int k : kr.find(Keyring.USER, d -> d.description().contains(tag) || extra.contains(d.description()))) {
            kr.revoke(k);
            kr.unlink(k, Keyring.USER);
        }
    }
}
