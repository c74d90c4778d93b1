package lsk.demo;

import lsk.base.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lsk.base.LskException;
import lsk.kernel.ParamPaths;
import lsk.kernel.TrustedPath;

/**
 * A request-key.d entry of lsk's own (the demo's, the end-to-end tests'): it has the real
 * {@code /sbin/request-key} run a handler script, as root, for one key type and descriptions
 * that start with a random token only this run knows.
 *
 * <p>An entry outlives a run killed with -9, and whoever can create the program it names gets
 * root. So the handler sits in a fresh directory under {@code /run/lsk} (root's, 0700; /run is
 * not world-writable and is emptied at boot), every directory the handler relies on is checked
 * to be changeable by root only, and the entry's first line, a marker, names the writing
 * process (pid and start time) and the handler directory: the next run removes entries whose
 * writer is gone, with their directories. Entries without the marker (anybody else's) are never
 * touched. The entry file is 0600: the token in it is not for other users to read.
 */
public final class RequestKeyEntry {
    /** The native upcall's variable naming the negotiation service's socket. */
    static final String ENV_UPCALLD_SOCKET = "LSK_UPCALLD_SOCKET";
    static final String UPCALLD_SOCKET = "lgss_keyring.socket";

    /** Where request-key looks for entries and where handler directories go. */
    public record Places(Path requestKeyD, Path runBase) {
        public static final Places SYSTEM = new Places(Path.of("/etc/request-key.d"), Path.of("/run/lsk"));
    }

    private static final String MARKER = "# lsk request-key entry v1: writer pid ";
    /** Names of entry files and handler directories this class makes. */
    private static final Pattern ENTRY_NAME = Pattern.compile("lsk-[a-z0-9-]{1,64}\\.conf");
    private static final Pattern KIND = Pattern.compile("[a-z]{1,16}");
    private static final int MAX_ENTRY = 4096;
    private static final String LOG = "upcall.log";
    private static final String ARGS = " %o %k %t %d %c %u %g %T %P %S";

    private final Path conf;
    private final Path dir;
    private final String descriptionBase;

    private RequestKeyEntry(Path conf, Path dir, String descriptionBase) {
        this.conf = conf;
        this.dir = dir;
        this.descriptionBase = descriptionBase;
    }

    /** The entry file. */
    public Path conf() {
        return conf;
    }

    /** The handler's directory (root's, 0700): the handler script and its log. */
    public Path dir() {
        return dir;
    }

    /** The description of key {@code name}: the only kind this entry matches. */
    public String description(String name) {
        return descriptionBase + ":" + name;
    }

    /**
     * Writes an entry {@code lsk-<stem>.conf} matching {@code create <keyType> <prefix>-<token>:*}
     * that runs the script {@code script} makes from the handler directory. Refuses unless
     * request-key.d, the handler directory and each of {@code reliedOn} (what the script runs)
     * can be changed by root only, even after this process is gone.
     */
    public static RequestKeyEntry install(Places places, String kind, String stem, String keyType, String prefix,
                                          List<Path> reliedOn, Function<Path, String> script) throws LskException {
        if (!KIND.matcher(kind).matches() || !ENTRY_NAME.matcher("lsk-" + stem + ".conf").matches()
                || !keyType.matches("[a-z_]{1,31}") || !prefix.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("request-key entry names: " + kind + ", " + stem + ", " + prefix);
        }
        for (Path p : reliedOn) {
            TrustedPath.checkDir(p, TrustedPath.Above.STRICT, "request-key handler's " + p);
        }
        SecureRandom random = new SecureRandom();
        String token = hex(random), dirName = kind + "-" + hex(random); // /run/lsk is listable: not the token
        Path dir = places.runBase().resolve(dirName);
        Path conf = places.requestKeyD().resolve("lsk-" + stem + ".conf");
        try {
            trustedDir(places.requestKeyD(), "rwxr-xr-x");
            trustedDir(places.runBase(), "rwx------"); // as lsvcgssd wants its socket directory
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            TrustedPath.checkDir(dir, TrustedPath.Above.STRICT, "request-key handler directory");
            Path handler = dir.resolve("handler.sh");
            writeNew(handler, script.apply(dir), "rwx------");
            String base = prefix + "-" + token;
            Path tmp = places.requestKeyD().resolve(".lsk-" + stem + "." + token + ".tmp"); // not *.conf: not read
            writeNew(tmp, marker(dir) + "\ncreate " + keyType + " " + base + ":* * " + handler + ARGS + "\n",
                    "rw-------");
            Files.move(tmp, conf, StandardCopyOption.ATOMIC_MOVE);
            return new RequestKeyEntry(conf, dir, base);
        } catch (IOException e) {
            removeDir(dir);
            throw new LskException("request-key entry " + conf + ": " + e.getMessage(), Errno.EIO, e);
        } catch (LskException e) {
            removeDir(dir);
            throw e;
        }
    }

    /**
     * An entry for key type {@code user} whose handler runs {@code lgssKeyring} (scripts/lgss_keyring)
     * on the simulated kernel under {@code paramRoot}, with this JVM's java first on PATH and its
     * stderr appended to {@link #log()}.
     */
    public static RequestKeyEntry forLgssKeyring(Places places, String kind, String stem, String prefix,
                                                 Path paramRoot, Path lgssKeyring) throws LskException {
        Path javaBin = javaBin();
        return install(places, kind, stem, "user", prefix, reliedOnBy(lgssKeyring), dir -> "#!/bin/sh\n"
                + "export " + ParamPaths.ENV_ROOT + "=" + quote(paramRoot) + " LSK_LOG_STDERR=1\n"
                // A negotiation service of this entry's own (started by the first upcall, on
                // this simulated kernel); it exits once remove() deletes its socket.
                + "export " + ENV_UPCALLD_SOCKET + "=" + quote(dir.resolve(UPCALLD_SOCKET)) + "\n"
                + "PATH=" + quote(javaBin) + ":$PATH; export PATH\n"
                + "exec " + quote(lgssKeyring) + " \"$@\" 2>>" + quote(dir.resolve(LOG)) + "\n");
    }

    /**
     * The directories a handler running {@code lgssKeyring} takes programs from: its scripts
     * directory, the build's target directory beside it (jar, native libraries) and the JVM's.
     */
    public static List<Path> reliedOnBy(Path lgssKeyring) {
        Path scripts = lgssKeyring.toAbsolutePath().getParent();
        List<Path> dirs = new ArrayList<>(List.of(scripts, javaBin()));
        Path target = scripts.getParent().resolve("target");
        if (Files.isDirectory(target)) {
            dirs.add(target);
        }
        return dirs;
    }

    private static Path javaBin() {
        return Path.of(System.getProperty("java.home"), "bin");
    }

    /** The socket of the entry's negotiation service, in its handler directory. */
    public Path upcalldSocket() {
        return dir.resolve(UPCALLD_SOCKET);
    }

    /** The handler's stderr (lgss_keyring logs there with LSK_LOG_STDERR). */
    public Path log() {
        return dir.resolve(LOG);
    }

    private static String hex(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Removes the entry, then its handler directory; the problems, if any (empty if none). */
    public List<String> remove() {
        List<String> problems = new ArrayList<>();
        try {
            Files.deleteIfExists(conf);
        } catch (IOException e) {
            problems.add("remove " + conf + ": " + e.getMessage());
        }
        problems.addAll(removeDir(dir));
        return problems;
    }

    /**
     * Removes every entry of this class whose writer is gone (killed runs), with its handler
     * directory; returns the entry files removed. Entries without the marker are left alone, as
     * are those of live runs.
     */
    public static List<Path> removeStale(Places places) throws LskException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(places.requestKeyD(), LinkOption.NOFOLLOW_LINKS)) {
            return removed;
        }
        Pattern marker = Pattern.compile(Pattern.quote(MARKER) + "([0-9]{1,10}) started ([0-9]{1,19}), handler "
                + Pattern.quote(places.runBase().toString() + "/") + "([a-z]{1,16}-[0-9a-f]{32})\\. .*");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(places.requestKeyD())) {
            for (Path conf : s) {
                if (!ENTRY_NAME.matcher(conf.getFileName().toString()).matches()
                        || !Files.isRegularFile(conf, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Matcher m = marker.matcher(firstLine(conf).orElse(""));
                if (!m.matches() || alive(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))) {
                    continue;
                }
                Files.deleteIfExists(conf);
                removeDir(places.runBase().resolve(m.group(3)));
                removed.add(conf);
            }
        } catch (IOException e) {
            throw new LskException("stale request-key entries in " + places.requestKeyD() + ": " + e.getMessage(),
                    Errno.EIO, e);
        }
        return removed;
    }

    /** {@code p} single-quoted for the handler script; refuses what would break out of the quotes. */
    public static String quote(Path p) {
        String s = p.toString();
        if (s.chars().anyMatch(c -> c == '\'' || c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("path unfit for a root shell script: " + s);
        }
        return "'" + s + "'";
    }

    /** The first line of the marker: who wrote the entry, and where its handler lives. */
    private static String marker(Path dir) {
        ProcessHandle me = ProcessHandle.current();
        long started = me.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        return MARKER + me.pid() + " started " + started + ", handler " + dir
                + ". lsk removes this entry and that directory once the writer is gone.";
    }

    /** Whether the writer still runs: that pid, started then (a reused pid is another process). */
    static boolean alive(long pid, long startedMillis) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        return h.get().info().startInstant().map(i -> i.toEpochMilli() == startedMillis).orElse(true);
    }

    private static Optional<String> firstLine(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
            String s = new String(in.readNBytes(MAX_ENTRY), StandardCharsets.UTF_8);
            int nl = s.indexOf('\n');
            return nl < 0 ? Optional.empty() : Optional.of(s.substring(0, nl));
        }
    }

    /** Creates {@code dir} with {@code mode} if missing; refuses it unless only root can change it. */
    private static void trustedDir(Path dir, String mode) throws IOException, LskException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made at the same time by another run: checked below like any other
            }
        }
        TrustedPath.checkDir(dir, TrustedPath.Above.STRICT, "request-key directory");
    }

    /** Creates {@code f} with {@code mode} from the start (no moment readable by others), without following a link. */
    private static void writeNew(Path f, String text, String mode) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(f, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)))) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /** Removes a handler directory and the files in it (links themselves, never what they name). */
    private static List<String> removeDir(Path dir) {
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return problems;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            problems.add("remove " + dir + ": " + e.getMessage());
        }
        return problems;
    }
}
