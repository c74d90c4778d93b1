package lsk.upcall;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import lsk.demo.RequestKeyEntry;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;

/**
 * The native upcall (target/native/lgss_keyring) run by the real /sbin/request-key for keys of
 * type {@code user}, with a fake service in this JVM and a launcher stub instead of scripts/lsk.
 * Everything lives in a fresh root-only directory under /run (N refuses others): the socket,
 * the stub (it appends each call's argv to {@code calls}; a negotiator's stdin goes to
 * {@code stdin}; with {@code start-ok} present a service start touches {@code started} and
 * lingers 20 s, as a service lives on), the lock and stamps N makes. {@link #close} removes it all.
 */
final class NativeUpcallRig implements AutoCloseable {
    static final Path N = Path.of(System.getProperty("lsk.basedir", "."), "target/native/lgss_keyring")
            .toAbsolutePath().normalize();
    static final String ROOT_CO = "1:sk:0:0:r:i:1:0x20000c0a80165:tank-MDT0000-mdc-ffff8881a2b4c000:0x20000c0a80132:42";

    /** Possessor all, user view and write. */
    static final int WRITABLE = 0x3f050000;

    final Path dir;
    final Path sock;
    final Path launcher;
    final Keyring kr;
    /** Requested keys land here (linked into the session keyring: gone with it). */
    final int ring;
    /** The keyring the fake service names in INST. */
    final int linkRing;
    private final RequestKeyEntry entry;
    private final List<FakeService> services = new ArrayList<>();

    NativeUpcallRig() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        dir = Files.createDirectory(Path.of("/run/lsk-test-native-" + tag),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        sock = dir.resolve("s.sock");
        Files.writeString(dir.resolve("socket-path"), sock.toString());
        launcher = dir.resolve("launch.sh");
        String d = RequestKeyEntry.quote(dir);
        Files.writeString(launcher, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> " + d + "/calls\n"
                + "case \"$1 $2\" in\n"
                + "  'lgss_keyringd '*) if [ -f " + d + "/start-ok ]; then : > " + d + "/started; sleep 20; fi ;;\n"
                + "  'lgss_keyring --negotiate') cat > " + d + "/stdin ;;\n"
                + "esac\nexit 1\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        kr = Keyring.open();
        ring = kr.addKey("keyring", "lsknt-" + tag, new byte[0], Keyring.SESSION);
        linkRing = kr.addKey("keyring", "lsknt-link-" + tag, new byte[0], Keyring.SESSION);
        // N (root, not its possessor) links into it as into the service's keyring: user write.
        kr.setPerm(linkRing, WRITABLE);
        RequestKeyEntry.removeStale(RequestKeyEntry.Places.SYSTEM);
        entry = RequestKeyEntry.install(RequestKeyEntry.Places.SYSTEM, "nt", "nt-" + tag, "user", "lsknt-" + tag,
                List.of(N.getParent(), dir), h -> "#!/bin/sh\n"
                        + "LSK_UPCALLD_SOCKET=$(cat " + d + "/socket-path)\n"
                        + "export LSK_UPCALLD_SOCKET LSK_LAUNCHER=" + RequestKeyEntry.quote(launcher)
                        + " LSK_LOG_STDERR=1\n"
                        + "exec " + RequestKeyEntry.quote(N) + " \"$@\" 2>>" + RequestKeyEntry.quote(h.resolve("log"))
                        + "\n");
    }

    static boolean usable() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0 && Files.isExecutable(N)
                && Files.isExecutable(Path.of("/sbin/request-key"));
    }

    String description(String name) {
        return entry.description(name);
    }

    /** request_key(2) through /sbin/request-key and N: the key, or -errno. */
    int request(String name, String callout) {
        try {
            return kr.requestKey("user", description(name), callout, ring);
        } catch (KeyringException e) {
            return -e.errno();
        }
    }

    /** N's stderr lines, all upcalls so far. */
    List<String> log() throws IOException {
        return lines(entry.dir().resolve("log"));
    }

    /** The launcher stub's calls so far, one argv per line. */
    List<String> calls() throws IOException {
        return lines(dir.resolve("calls"));
    }

    static List<String> lines(Path p) throws IOException {
        return Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
    }

    /** What a fake service does with one connection. */
    @FunctionalInterface
    interface Script {
        void serve(Conn c) throws Exception;
    }

    /** Starts a fake service on {@link #sock}: each connection on a thread of its own. */
    FakeService serve(Script script) throws IOException {
        FakeService s = new FakeService(sock, script);
        services.add(s);
        return s;
    }

    /** One connection: reads with the protocol's framing, writes raw bytes, records both. */
    static final class Conn {
        final SocketChannel ch;
        final InputStream in;
        final List<String> transcript;

        Conn(SocketChannel ch, List<String> transcript) {
            this.ch = ch;
            this.in = new BufferedInputStream(Channels.newInputStream(ch));
            this.transcript = transcript;
        }

        /** The REQ message; its args, the raw bytes recorded (as ISO-8859-1) first. */
        List<String> readReq() throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            String head = until('\n', raw);
            if (!head.matches("REQ (0|[1-9][0-9]?)")) {
                throw new IOException("bad REQ header: " + head);
            }
            List<String> args = new ArrayList<>();
            for (int i = Integer.parseInt(head.substring(4)); i > 0; i--) {
                int len = Integer.parseInt(until(':', raw));
                byte[] b = in.readNBytes(len);
                raw.write(b);
                int comma = in.read();
                raw.write(comma);
                if (b.length != len || comma != ',') {
                    throw new IOException("bad netstring");
                }
                args.add(new String(b, StandardCharsets.ISO_8859_1));
            }
            transcript.add(raw.toString(StandardCharsets.ISO_8859_1));
            return args;
        }

        /** One line without its '\n', or null at end of stream. */
        String readLine() throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            String s = until('\n', raw);
            transcript.add(s == null ? "<eof>" : s + "\n");
            return s;
        }

        private String until(char end, ByteArrayOutputStream raw) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int b; (b = in.read()) != end; ) {
                if (b < 0 || sb.length() > 9000) {
                    return null;
                }
                raw.write(b);
                sb.append((char) b);
            }
            raw.write(end);
            return sb.toString();
        }

        void write(String s) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /** The protocol's framing of {@code args}, as N must send them. */
    static String req(List<String> args) {
        StringBuilder sb = new StringBuilder("REQ " + args.size() + "\n");
        for (String a : args) {
            sb.append(a.getBytes(StandardCharsets.ISO_8859_1).length).append(':').append(a).append(',');
        }
        return sb.toString();
    }

    static final class FakeService implements AutoCloseable {
        final List<String> transcript = new CopyOnWriteArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private final ServerSocketChannel server;

        FakeService(Path sock, Script script) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(sock), 64);
            Thread t = new Thread(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel ch = server.accept();
                        new Thread(() -> {
                            try (ch) {
                                script.serve(new Conn(ch, transcript));
                            } catch (Exception e) {
                                failures.add(e);
                            }
                        }, "fake-service-conn").start();
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "fake-service");
            t.setDaemon(true);
            t.start();
        }

        /** The transcript once it has {@code n} entries (a connection's thread may lag N's exit). */
        List<String> await(int n) throws InterruptedException {
            for (int i = 0; i < 500 && transcript.size() < n; i++) {
                Thread.sleep(10);
            }
            return List.copyOf(transcript);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Override
    public void close() throws Exception {
        for (FakeService s : services) {
            s.close();
        }
        entry.remove();
        try {
            kr.unlink(ring, Keyring.SESSION);
            kr.unlink(linkRing, Keyring.SESSION);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
