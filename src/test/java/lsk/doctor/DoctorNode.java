package lsk.doctor;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import lsk.crypto.Ffdhe;
import lsk.gssd.Svcgssd;
import lsk.handshake.Entropy;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.LustreVersion;
import lsk.kernel.sim.SimKernel;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFiles;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;
import lsk.keyring.KeyringKeySource;
import lsk.keyring.SkKeyring;
import lsk.sk.HmacAlg;

/**
 * A healthy server node for doctor under a temp dir: /etc, /run and /usr under {@code fs/}
 * (request-key with lsk's lgssc line, lsk's lgss_keyring script, Lustre's C lgss_keyring as
 * lgss_keyring.lustre, l_getauth, a server key in /etc/lustre/sk), a simulated kernel under
 * {@code kernel/} whose rsi_upcall names /usr/sbin/l_getauth, an in-process lsvcgssd listening
 * on fs/run/lsk/svcgssd.socket, and the server key loaded in the real user keyring under a
 * description of its own. Tests break one thing at a time.
 */
final class DoctorNode implements AutoCloseable {
    /** The first bytes of an ELF executable: what doctor and scripts/lgss_keyring take for a native program. */
    static final byte[] ELF = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    final Path fs;
    final String fsname;
    final byte[] shared = new byte[32];
    final Keyring keyring;
    final SimKernel kernel;
    final Path socket;
    final Path keyFile;
    private final List<Integer> loaded = new ArrayList<>();
    private Svcgssd daemon;

    DoctorNode(Path tmp) throws Exception {
        this(tmp, SimKernel.NEWEST);
    }

    /** At {@code version}: a 2.15.x kernel's daemon serves the cache channels instead of the socket. */
    DoctorNode(Path tmp, LustreVersion version) throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] tag = new byte[3];
        random.nextBytes(tag);
        random.nextBytes(shared);
        fsname = "dr" + HexFormat.of().formatHex(tag);
        fs = tmp.resolve("fs");
        Files.createDirectories(fs);
        file("sbin/request-key", "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII), "rwxr-xr-x");
        file("etc/request-key.d/lgssc.conf", ("# lsk\ncreate lgssc * * /usr/sbin/lgss_keyring %o %k %t %d %c %u %g %T %P %S\n")
                .getBytes(StandardCharsets.US_ASCII), "rw-r--r--");
        file("usr/sbin/lgss_keyring", "#!/bin/sh\nexit 1\n".getBytes(StandardCharsets.US_ASCII), "rwxr-xr-x");
        file("usr/sbin/lgss_keyring.lustre", ELF, "rwxr-xr-x");
        file("usr/sbin/l_getauth", ELF, "rwxr-xr-x");
        Path run = Files.createDirectories(fs.resolve("run/lsk"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
        Path sk = Files.createDirectories(fs.resolve("etc/lustre/sk"));
        Files.setPosixFilePermissions(sk, PosixFilePermissions.fromString("rwx------"));
        keyFile = sk.resolve(fsname + ".server.key");
        KeyConfig server = serverKey();
        KeyFiles.write(keyFile, keyFile.toString(), server, false, false);

        keyring = Keyring.open();
        SkKeyring skr = new SkKeyring(keyring, new PrintStream(OutputStream.nullOutputStream()), 0,
                Clock.systemDefaultZone(), random);
        skr.load(server, SkKeyring.LoadOptions.defaults());
        server.wipe();

        socket = fs.resolve("run/lsk/svcgssd.socket");
        kernel = SimKernel.start(new SimKernel.Config(tmp.resolve("kernel"), version, socket, 1L, "default",
                Duration.ofSeconds(5)).withUpcall("/usr/sbin/l_getauth"), m -> { });
        startDaemon();
    }

    KeyConfig serverKey() {
        return KeyConfig.builder().type(KeyConfig.TYPE_SERVER).fsname(fsname).nodemap("default")
                .hmacAlg(HmacAlg.SHA256.id()).sharedKey(shared).primeBits(2048).build();
    }

    KeyConfig clientKey() {
        return KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname(fsname).nodemap("default")
                .hmacAlg(HmacAlg.SHA256.id()).sharedKey(shared).primeBits(2048).prime(Ffdhe.FFDHE2048.primeBytes())
                .build();
    }

    void startDaemon() throws Exception {
        daemon = Svcgssd.start(new Svcgssd.Options(socket, kernel.kernel(), true, Duration.ofSeconds(5), 1),
                new Responder(new KeyringKeySource(keyring), NodemapResolver.NONE, Entropy.secure()),
                ChannelNative.load(), (lvl, m) -> { });
    }

    void stopDaemon() {
        daemon.close();
        daemon = null;
    }

    /** A key of ours to clean up (one doctor cannot describe any more, e.g. expired). */
    void remember(int serial) {
        loaded.add(serial);
    }

    /** The node as doctor sees it: this tree, this kernel, only this node's keys, Java 17, root. */
    Node node() {
        return new Node(fs, kernel.paths(), Path.of("/proc"), List.of(), "lustre:" + fsname, 17, "17 (test)", 0);
    }

    Path file(String rel, byte[] content, String perms) throws Exception {
        Path p = fs.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        return p;
    }

    @Override
    public void close() {
        if (daemon != null) {
            daemon.close();
        }
        kernel.close();
        try {
            for (int k : keyring.find(Keyring.USER, d -> d.description().startsWith("lustre:" + fsname))) {
                keyring.unlink(k, Keyring.USER);
            }
        } catch (KeyringException e) {
            // best effort
        }
        for (int k : loaded) {
            try {
                keyring.unlink(k, Keyring.USER);
            } catch (KeyringException e) {
                // already gone
            }
        }
    }
}
