package lsk.testutil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away unprivileged local user for tests of what such a user can and cannot do
 * (created with useradd, no home, nologin; removed by {@link #close}, also after a failure).
 * Commands run as it through util-linux setpriv with no supplementary groups: {@link #run} and
 * {@link #start} in a fresh session keyring of its own ({@code keyctl session -}), as a
 * logged-in user's processes would have; {@link #exec} and {@link #command} as they are.
 */
public final class LocalUser implements AutoCloseable {
    private final String name;
    private final int uid;
    private final int gid;

    /** What a command printed and its exit status. */
    public record Result(int exit, String out, String err) {
        /** Standard output and error together. */
        public String output() {
            return out + err;
        }
    }

    private LocalUser(String name, int uid, int gid) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
    }

    public static LocalUser create() throws IOException, InterruptedException {
        byte[] r = new byte[4];
        new SecureRandom().nextBytes(r);
        String name = "lsktest-" + HexFormat.of().formatHex(r);
        Result add = run(List.of("useradd", "-M", "-r", "-s", "/usr/sbin/nologin", name), null, 30);
        if (add.exit() != 0) {
            throw new IOException("useradd " + name + ": " + add.err());
        }
        try {
            int uid = Integer.parseInt(run(List.of("id", "-u", name), null, 10).out().trim());
            int gid = Integer.parseInt(run(List.of("id", "-g", name), null, 10).out().trim());
            return new LocalUser(name, uid, gid);
        } catch (RuntimeException e) {
            run(List.of("userdel", name), null, 30);
            throw e;
        }
    }

    /** Whether this process can make users (root, with useradd and setpriv installed). */
    public static boolean available() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0
                    && Files.isExecutable(Path.of("/usr/sbin/useradd")) && Files.isExecutable(Path.of("/usr/bin/setpriv"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public String name() {
        return name;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** Runs {@code cmd} as this user (no supplementary groups) in {@code cwd}, at most {@code seconds}. */
    public Result run(Path cwd, long seconds, String... cmd) throws IOException, InterruptedException {
        return run(argv(cmd), cwd, seconds);
    }

    /** Starts {@code cmd} as this user; the caller ends it (by its handle) before {@link #close}. */
    public Process start(Path cwd, String... cmd) throws IOException {
        return new ProcessBuilder(argv(cmd)).directory(cwd.toFile()).start();
    }

    /** Runs {@code cmd} as this user, in the caller's session keyring, at most 60 s. */
    public Result exec(String... cmd) throws IOException, InterruptedException {
        return run(as(cmd), null, 60);
    }

    /** {@code cmd} as this user, to be started by the caller. */
    public ProcessBuilder command(String... cmd) {
        return new ProcessBuilder(as(cmd));
    }

    private List<String> as(String... cmd) {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid", Integer.toString(uid), "--regid",
                Integer.toString(gid), "--clear-groups", "--"));
        argv.addAll(List.of(cmd));
        return argv;
    }

    private List<String> argv(String... cmd) {
        List<String> argv = new ArrayList<>(List.of("keyctl", "session", "-"));
        argv.addAll(List.of(cmd));
        return as(argv.toArray(String[]::new));
    }

    private static Result run(List<String> argv, Path cwd, long seconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            return new Result(-1, "", "timed out after " + seconds + " s: " + argv);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Result del = run(List.of("userdel", name), null, 30);
        if (del.exit() != 0) {
            throw new IOException("userdel " + name + ": " + del.err());
        }
    }
}
