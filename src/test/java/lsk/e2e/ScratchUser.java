package lsk.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local unprivileged user made for one test ({@code useradd -M -r}, no home, no shell) and
 * removed by {@link #close}, also after a failure; commands run as it through {@code setpriv}
 * with no supplementary groups. Needs root.
 */
public final class ScratchUser implements AutoCloseable {
    public final String name;
    public final int uid;
    public final int gid;

    /** Output and exit status of a command. */
    public record Result(int exit, String output) {
    }

    private ScratchUser(String name, int uid, int gid) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
    }

    public static ScratchUser create() throws Exception {
        byte[] r = new byte[4];
        new SecureRandom().nextBytes(r);
        String name = "lsktest-" + HexFormat.of().formatHex(r);
        Result add = run(List.of("useradd", "-M", "-r", "-s", "/usr/sbin/nologin", name));
        if (add.exit() != 0) {
            throw new IllegalStateException("useradd " + name + ": " + add.output());
        }
        try {
            int uid = Integer.parseInt(run(List.of("id", "-u", name)).output().trim());
            int gid = Integer.parseInt(run(List.of("id", "-g", name)).output().trim());
            return new ScratchUser(name, uid, gid);
        } catch (RuntimeException e) {
            run(List.of("userdel", name));
            throw e;
        }
    }

    /** Whether this process can make users (root, with useradd and setpriv installed). */
    public static boolean available() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0
                    && Files.isExecutable(Path.of("/usr/sbin/useradd")) && Files.isExecutable(Path.of("/usr/bin/setpriv"));
        } catch (Exception e) {
            return false;
        }
    }

    /** Runs {@code cmd} as this user; output and error together. */
    public Result exec(String... cmd) throws Exception {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid", Integer.toString(uid), "--regid",
                Integer.toString(gid), "--clear-groups", "--"));
        c.addAll(List.of(cmd));
        return run(c);
    }

    private static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("did not finish: " + cmd);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        Result del = run(List.of("userdel", name));
        if (del.exit() != 0) {
            throw new IllegalStateException("userdel " + name + ": " + del.output());
        }
    }
}
