package lsk.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import lsk.cmd.Io;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyring.Keyring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lsk doctor} on a simulated server node ({@link DoctorNode}): healthy, it finds no
 * problem and exits 0; each problem injected alone is found, once, with its fix, and the exit
 * status counts the problems. Runs as root (the daemon, the keyring) like the e2e tests.
 */
class DoctorTest {
    @TempDir
    Path tmp;
    DoctorNode n;

    @BeforeEach
    void start() throws Exception {
        n = new DoctorNode(tmp);
    }

    @AfterEach
    void stop() {
        n.close();
    }

    private static List<Finding> problems(List<Finding> all) {
        return all.stream().filter(Finding::isProblem).toList();
    }

    private static String text(List<Finding> all) {
        return all.stream().map(Finding::line).collect(Collectors.joining("\n"));
    }

    /** Exactly one problem, in {@code check} (a prefix), with a fix that says {@code fix}; exit status 1. */
    private Finding oneProblem(Node node, String check, String detail, String fix) {
        List<Finding> all = Doctor.check(node);
        List<Finding> p = problems(all);
        assertEquals(1, p.size(), text(all));
        Finding f = p.get(0);
        assertTrue(f.check().startsWith(check), f.line());
        assertTrue(f.detail().contains(detail), f.line());
        assertTrue(f.fix().contains(fix), f.line());
        assertTrue(f.line().startsWith("PROBLEM " + f.check() + ": ") && f.line().contains("; fix: "), f.line());
        assertEquals(1, Doctor.report(all, true, io(new ByteArrayOutputStream())));
        return f;
    }

    private static Io io(ByteArrayOutputStream out) {
        return new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream()), Path.of("/"), Map.of());
    }

    @Test
    void healthyNodeIsAllOkAndExitsZero() {
        List<Finding> all = Doctor.check(n.node());
        assertEquals(List.of(), problems(all), text(all));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Doctor.report(all, false, io(out)));
        String s = out.toString(StandardCharsets.UTF_8);
        for (String ok : List.of("ok      java runtime: ", "ok      lustre version: Lustre 2.17.54: ABI 2.17.54+",
                "ok      debugfs: ", "ok      parameter sptlrpc/gss/rsi_info: ", "ok      parameter sptlrpc/gss/init_channel: ",
                "ok      rsi_upcall: /usr/sbin/l_getauth", "ok      request-key lgssc: /etc/request-key.d/lgssc.conf:2 runs /usr/sbin/lgss_keyring",
                "ok      lgssc program: ", "ok      krb5/gssnull handler: lsk's lgss_keyring hands krb5 and gssnull keys to /usr/sbin/lgss_keyring.lustre",
                "ok      lsvcgss running: answering on /run/lsk/svcgssd.socket", "ok      lsvcgss socket: /run/lsk/svcgssd.socket (root's, mode 0600)",
                "ok      key dir /etc/lustre/sk: root's, mode 0700", "ok      key file /etc/lustre/sk/" + n.fsname + ".server.key: server key, fs " + n.fsname,
                "ok      loaded key lustre:" + n.fsname)) {
            assertTrue(s.contains(ok), "missing '" + ok + "' in\n" + s);
        }
        assertFalse(s.contains("PROBLEM"), s);
        // Never key bytes: neither the shared key nor any long run of its hex.
        assertFalse(s.toLowerCase().contains(HexFormat.of().formatHex(n.shared, 0, 8)), s);
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        assertEquals(0, Doctor.report(all, true, io(quiet)));
        assertEquals("", quiet.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unsupportedVersion() throws Exception {
        // 2.12 is older than any row of lsk's version table (KernelAbi).
        Files.writeString(LustreKernel.versionFile(n.kernel.paths()), "2.12.9\n");
        Finding f = oneProblem(n.node(), "lustre version", "not supported", "lsk abi --all");
        assertTrue(f.detail().contains("2.12.9"), f.line());
        assertTrue(text(Doctor.check(n.node())).contains("skip    parameter files: "));
    }

    @Test
    void missingParameterFile() throws Exception {
        Path rsc = n.kernel.paths().find(ParamPaths.RSC_DOWNCALL).orElseThrow();
        Files.delete(rsc);
        oneProblem(n.node(), "parameter sptlrpc/gss/rsc_info", "not found: Lustre 2.17.54", "modprobe ptlrpc_gss");
    }

    @Test
    void debugfsNotMounted() throws Exception {
        // What an unmounted debugfs looks like in a simulated tree (as DebugfsMissingE2eIT): no sys/kernel/debug.
        Path debugfs = n.kernel.paths().root().resolve("sys/kernel/debug");
        try (Stream<Path> s = Files.walk(debugfs)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        oneProblem(n.node(), "debugfs", "not mounted", "mount -t debugfs none /sys/kernel/debug");
        String t = text(Doctor.check(n.node()));
        assertTrue(t.contains("skip    parameter sptlrpc/gss/rsi_info: kept in debugfs"), t);
        assertTrue(Files.notExists(debugfs), "doctor mounts nothing, creates nothing");
    }

    @Test
    void rsiUpcallHelperMissing() throws Exception {
        Files.delete(n.fs.resolve("usr/sbin/l_getauth"));
        oneProblem(n.node(), "rsi_upcall", "does not exist", "install -m 0755");
    }

    @Test
    void rsiUpcallHelperGroupWritable() throws Exception {
        Files.setPosixFilePermissions(n.fs.resolve("usr/sbin/l_getauth"), PosixFilePermissions.fromString("rwxrwxr-x"));
        oneProblem(n.node(), "rsi_upcall", "writable by its group (mode 0775)", "chmod go-w");
    }

    @Test
    void noLgsscLine() throws Exception {
        Files.delete(n.fs.resolve("etc/request-key.d/lgssc.conf"));
        // Another line for another key type is no lgssc line.
        n.file("etc/request-key.conf", "create user debug:* negate /bin/keyctl negate %k 30 %S\n"
                .getBytes(StandardCharsets.US_ASCII), "rw-r--r--");
        oneProblem(n.node(), "request-key lgssc", "no 'create lgssc' line", "lgssc.conf");
    }

    @Test
    void lgsscProgramMissing() throws Exception {
        Files.delete(n.fs.resolve("usr/sbin/lgss_keyring"));
        oneProblem(n.node(), "lgssc program", "/usr/sbin/lgss_keyring does not exist", "correct the line in /etc/request-key.d/lgssc.conf:2");
    }

    @Test
    void krb5HandlerGone() throws Exception {
        Files.delete(n.fs.resolve("usr/sbin/lgss_keyring.lustre"));
        Finding f = oneProblem(n.node(), "krb5/gssnull handler", "no Lustre lgss_keyring", "/usr/sbin/lgss_keyring.lustre");
        assertTrue(f.detail().contains("/usr/sbin/lgss_keyring is not Lustre's"), f.line());
    }

    @Test
    void lustresOwnLgssKeyringInTheLineHandlesEverything() throws Exception {
        Files.delete(n.fs.resolve("usr/sbin/lgss_keyring.lustre"));
        n.file("usr/sbin/lgss_keyring", DoctorNode.ELF, "rwxr-xr-x");
        List<Finding> all = Doctor.check(n.node());
        assertEquals(List.of(), problems(all), text(all));
    }

    @Test
    void daemonNotRunning() {
        n.stopDaemon();
        oneProblem(n.node(), "lsvcgss running", "nothing listens on /run/lsk/svcgssd.socket", "systemctl start lsvcgss");
    }

    @Test
    void socketModeOpen() throws Exception {
        Files.setPosixFilePermissions(n.socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        oneProblem(n.node(), "lsvcgss socket", "mode 0666", "chmod 0600 /run/lsk/svcgssd.socket");
    }

    @Test
    void expiredKeyLoaded() throws Exception {
        KeyConfig c = n.serverKey();
        byte[] image = KeyFileCodec.encodeBinary(c);
        c.wipe();
        int k = n.keyring.addKey("user", "lustre:" + n.fsname + ":old", image, Keyring.USER);
        n.remember(k);
        n.keyring.setTimeout(k, 1);
        Thread.sleep(1500);
        oneProblem(n.node(), "loaded key lustre:" + n.fsname + ":old", "expired (serial " + String.format("%08x", k),
                "lsk keys load");
    }

    @Test
    void keyFileReadableByOthers() throws Exception {
        Files.setPosixFilePermissions(n.keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        oneProblem(n.node(), "key file /etc/lustre/sk/", "mode 0644", "chmod 0600 /etc/lustre/sk/" + n.fsname + ".server.key");
    }

    @Test
    void truncatedKeyFile() throws Exception {
        byte[] b = Files.readAllBytes(n.keyFile);
        Files.write(n.keyFile, java.util.Arrays.copyOf(b, 1000));
        // lgss_sk's (sk_utils.c sk_read_file) message for a short binary file.
        oneProblem(n.node(), "key file /etc/lustre/sk/", "does not have a complete key: got 1000 bytes, expected 2407 bytes",
                "copy the complete key file again");
    }

    @Test
    void wrongJava() {
        oneProblem(n.node().withJava(11, "11.0.22"), "java runtime", "Java 11.0.22 is older than Java 17", "Java 17 runtime");
    }

    @Test
    void exitStatusCountsEveryProblem() throws Exception {
        n.stopDaemon();
        Files.delete(n.fs.resolve("usr/sbin/lgss_keyring.lustre"));
        Files.setPosixFilePermissions(n.keyFile, PosixFilePermissions.fromString("rw-r-----"));
        List<Finding> all = Doctor.check(n.node().withJava(11, "11"));
        assertEquals(4, problems(all).size(), text(all));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(4, Doctor.report(all, true, io(out)));
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length);
        for (String l : lines) {
            assertTrue(l.startsWith("PROBLEM ") && l.contains("; fix: "), l);
        }
    }

    @Test
    void notRootSkipsTheKeyringAndDoesNotFail() {
        List<Finding> all = Doctor.check(n.node().withEuid(1000));
        assertEquals(List.of(), problems(all), text(all));
        assertTrue(text(all).contains("skip    loaded keys: needs root"), text(all));
    }

    @Test
    void clientNodeSkipsTheServerChecks() throws Exception {
        Files.delete(n.keyFile);
        lsk.keyfile.KeyFiles.write(n.keyFile, n.keyFile.toString(), n.clientKey(), false, false);
        for (int k : n.keyring.find(Keyring.USER, d -> d.description().startsWith("lustre:" + n.fsname))) {
            n.keyring.unlink(k, Keyring.USER);
        }
        n.stopDaemon();
        Node client = n.node();
        List<Finding> all = Doctor.check(client);
        // No key loaded though a key file exists: the one problem; a client needs no daemon.
        assertEquals(1, problems(all).size(), text(all));
        assertEquals(KeyChecks.LOADED, problems(all).get(0).check());
        assertTrue(text(all).contains("skip    lsvcgss running: client node"), text(all));
    }
}
