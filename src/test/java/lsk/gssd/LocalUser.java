package lsk.gssd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway unprivileged system user for tests of what a local attacker can do: created
 * with useradd (no home, no login shell), commands run as it through setpriv, removed on
 * {@link #close()}. Needs root and util-linux.
 */
final class LocalUser implements AutoCloseable {
    final String name;
    final int uid;
    final int gid;

    private LocalUser(String name, int uid, int gid) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
    }

    static LocalUser create() throws IOException, InterruptedException {
        byte[] r = new byte[4];
        ThreadLocalRandom.current().nextBytes(r);
        String name = "lsktest-" + HexFormat.of().formatHex(r);
        run("useradd", "-M", "-r", "-s", "/usr/sbin/nologin", name);
        try {
            return new LocalUser(name, Integer.parseInt(run("id", "-u", name).trim()),
                    Integer.parseInt(run("id", "-g", name).trim()));
        } catch (IOException | RuntimeException e) {
            run("userdel", name);
            throw e;
        }
    }

    /** {@code cmd} as this user, with no supplementary groups. */
    ProcessBuilder command(String... cmd) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid", Integer.toString(uid), "--regid",
                Integer.toString(gid), "--clear-groups"));
        all.addAll(List.of(cmd));
        return new ProcessBuilder(all);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("userdel", name);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
