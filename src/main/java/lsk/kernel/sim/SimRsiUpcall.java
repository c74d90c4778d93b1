package lsk.kernel.sim;

import lsk.base.DecodeException;
import lsk.base.Errno;
import lsk.kernel.UpcallLine;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import lsk.base.LskException;

/**
 * The rsi upcall of a {@link SimKernel} ({@code rsi_do_upcall}): runs the program its
 * {@code sptlrpc/gss/rsi_upcall} parameter names, as the kernel does, with argv
 * {@code {path, -c, rsicache, -r, LINE}} and a fixed environment, waiting only for the exec
 * (the exit is reaped in the background and logged when not 0). The parameter is read per
 * upcall, so writing it changes the next one; when it cannot be read (debugfs not mounted
 * hides the file, not the kernel's setting) the configured value holds.
 *
 * <p>Beyond the kernel's {@code HOME} and {@code PATH}, the environment names the daemon's
 * socket ({@code LSK_SVCGSSD_SOCKET}: each simulated kernel talks to a daemon of its own),
 * disables the helper's service restart (this daemon is no systemd unit) and has it log to
 * stderr, which ends up in this kernel's log.
 *
 * <p>{@link #NONE} (the kernel's "no upcall") makes the simulated kernel hand the line to the
 * daemon's socket itself, for tests that run the daemon in process without the helper.
 */
final class SimRsiUpcall {
    /** The kernel's default rsi upcall (RSI_UPCALL_PATH). */
    static final String DEFAULT = "/usr/sbin/l_getauth";
    /** No program: this simulator connects to the daemon itself. */
    static final String NONE = "NONE";
    static final String RSI_CACHE = "rsicache";
    static final Map<String, String> KERNEL_ENV = Map.of("HOME", "/", "PATH", "/sbin:/usr/sbin");
    static final String ENV_SOCKET = "LSK_SVCGSSD_SOCKET";
    static final String ENV_NO_RESTART = "LSK_GETAUTH_NO_RESTART";
    static final String ENV_STDERR = "LSK_GETAUTH_STDERR";
    /** PATH_MAX: the longest value the parameter takes. */
    static final int MAX_VALUE = 4096;
    /** What is kept of a helper's stderr for the log. */
    private static final int MAX_HELPER_LOG = 4096;

    private final Path param;
    private final String configured;
    private final Path daemonSocket;
    private final Consumer<String> log;

    SimRsiUpcall(Path param, String configured, Path daemonSocket, Consumer<String> log) {
        this.param = param;
        this.configured = configured;
        this.daemonSocket = daemonSocket;
        this.log = log;
    }

    /** Writes the parameter file with the configured value, as the module's default. */
    void install() throws IOException {
        Files.writeString(param, configured + "\n", StandardCharsets.US_ASCII);
    }

    /** The upcall for one SEC_CTX_INIT; returns once the helper runs (or the line is written). */
    void send(UpcallLine line) throws LskException {
        String program = current();
        if (program.equals(NONE)) {
            direct(line);
            return;
        }
        String text = new String(line.format(), StandardCharsets.US_ASCII);
        ProcessBuilder pb = new ProcessBuilder(List.of(program, "-c", RSI_CACHE, "-r", text))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(KERNEL_ENV);
        env.put(ENV_SOCKET, daemonSocket.toString());
        env.put(ENV_NO_RESTART, "1");
        env.put(ENV_STDERR, "1");
        Process p;
        try {
            p = pb.start(); // returns once the exec succeeded: the kernel's UMH_WAIT_EXEC
        } catch (IOException e) {
            throw new LskException("rsi upcall " + program + " cannot run: " + e.getMessage(),
                    Errno.EACCES, e);
        }
        closeQuietly(p.getOutputStream());
        p.onExit().thenAccept(done -> reap(program, done));
    }

    private void reap(String program, Process p) {
        String err;
        try (InputStream in = p.getErrorStream()) {
            err = new String(in.readNBytes(MAX_HELPER_LOG), StandardCharsets.UTF_8).strip().replace('\n', '|');
        } catch (IOException e) {
            err = "";
        }
        if (p.exitValue() != 0) {
            log.accept("simkernel: rsi upcall " + program + " exited " + p.exitValue() + (err.isEmpty() ? "" : ": " + err));
        }
    }

    /** The parameter's value now: the file's content, else (hidden) the configured one. */
    String current() throws LskException {
        String v;
        try {
            byte[] b;
            try (InputStream in = Files.newInputStream(param, LinkOption.NOFOLLOW_LINKS)) {
                b = in.readNBytes(MAX_VALUE + 1);
            }
            v = new String(b, StandardCharsets.US_ASCII);
            if (v.endsWith("\n")) {
                v = v.substring(0, v.length() - 1);
            }
        } catch (NoSuchFileException e) {
            v = configured;
        } catch (IOException e) {
            throw new LskException("rsi_upcall " + param + ": " + e.getMessage(), Errno.EIO, e);
        }
        try {
            return program(v);
        } catch (DecodeException e) {
            throw new LskException(e.getMessage(), Errno.EINVAL, e);
        }
    }

    /** The parameter's text as the kernel takes it: {@code NONE} or an absolute path. */
    static String program(String v) throws DecodeException {
        if (!v.equals(NONE) && (!v.startsWith("/") || v.length() > MAX_VALUE
                || !v.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new DecodeException("rsi_upcall", "neither NONE nor an absolute path");
        }
        return v;
    }

    private void direct(UpcallLine line) throws LskException {
        try (SocketChannel d = SocketChannel.open(UnixDomainSocketAddress.of(daemonSocket))) {
            ByteBuffer b = ByteBuffer.wrap(line.format());
            while (b.hasRemaining()) {
                d.write(b);
            }
        } catch (IOException e) {
            throw new LskException("no lsvcgssd at " + daemonSocket + ": " + e.getMessage(),
                    Errno.EACCES, e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing to do
        }
    }
}
