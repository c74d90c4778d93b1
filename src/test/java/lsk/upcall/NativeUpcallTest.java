package lsk.upcall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import lsk.base.Errno;
import lsk.testutil.LocalUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The native upcall against a fake service speaking the protocol (jni/upcall.c), on real
 * {@code user} keys through the real /sbin/request-key: the messages byte for byte, the
 * keyctl calls INST asks for, refusals, DONE's errors, the fallbacks F1 (no service, a bad
 * answer, a peer not root's) and F2 (the service gone after INST), and the start on demand.
 */
@Timeout(120)
class NativeUpcallTest {
    static final String USER_CO = "1:sk:1000:1000::-:1:0x20000c0a80165:tank-MDT0000-mdc-ffff8881a2b4c000:0x20000c0a80132:42";
    static final int PERM = KeyInstantiation.UPDATABLE | KeyInstantiation.READABLE;
    static final String F1_LINE = "is not usable";
    /**
     * INST's dest for these user keys: N's session keyring, where the kernel's lgssc type links
     * its keys at instantiation (gss_kt_instantiate); without it N no longer possesses the key
     * once the instantiation has used up its authority, and cannot LINK it.
     */
    static final int SESSION = -3;

    NativeUpcallRig rig;

    @BeforeEach
    void rig() throws Exception {
        assumeTrue(NativeUpcallRig.usable(), "root, /sbin/request-key and the built native upcall");
        rig = new NativeUpcallRig();
    }

    @AfterEach
    void clean() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    static String inst(int dest, int link, int plen) {
        return "INST 0x" + Integer.toHexString(PERM) + " " + dest + " " + link + " " + plen + "\n";
    }

    /** REQ is the argv request-key passed, framed exactly; what INST asks for is done. */
    @Test
    void instantiatesAsToldAndSaysDone() throws Exception {
        List<List<String>> reqs = new ArrayList<>();
        NativeUpcallRig.FakeService s = rig.serve(c -> {
            reqs.add(c.readReq());
            c.write(inst(SESSION, rig.linkRing, 1));
            c.readLine();
            c.write("OK\n");
            c.readLine();
        });
        int key = rig.request("ok", NativeUpcallRig.ROOT_CO);
        assertTrue(key > 0, "errno " + -key + " " + rig.log());
        List<String> args = reqs.get(0);
        assertEquals(List.of("create", Integer.toString(key), "user", rig.description("ok"), NativeUpcallRig.ROOT_CO,
                "0", "0"), args.subList(0, 7));
        assertEquals(10, args.size());
        assertEquals(List.of(NativeUpcallRig.req(args), "DONE 0\n", "<eof>"), s.await(3), rig.log().toString());
        assertEquals(PERM, rig.kr.describe(key).perm());
        assertArrayEquals(new byte[1], rig.kr.read(key));
        assertTrue(Arrays.stream(rig.kr.list(rig.linkRing)).anyMatch(k -> k == key));
        assertEquals(List.of(), rig.calls());
        assertEquals(List.of(), rig.log());
        assertEquals(List.of(), s.failures);
    }

    @Test
    void refusalsRejectOnlyWhenAsked() throws Exception {
        NativeUpcallRig.FakeService s = rig.serve(c -> {
            c.readReq();
            c.write(c.transcript.size() == 1 ? "REFUSE 60 " + Errno.EKEYREJECTED + "\n" : "REFUSE 0 13\n");
            c.readLine();
        });
        assertEquals(-Errno.EKEYREJECTED, rig.request("rejected", NativeUpcallRig.ROOT_CO));
        assertEquals(-Errno.ENOKEY, rig.request("refused", NativeUpcallRig.ROOT_CO));
        List<String> t = s.await(4);
        assertEquals(4, t.size(), t.toString());
        assertEquals(List.of("<eof>", "<eof>"), List.of(t.get(1), t.get(3)));
        assertEquals(List.of(), rig.calls());
    }

    /** The first keyctl call that fails is DONE's -errno and logged; N exits 1, no fallback. */
    @Test
    void failedKeyctlCallsAreReportedInDone() throws Exception {
        int notARing = rig.kr.addKey("user", "lsknt-plain", new byte[1], rig.ring);
        rig.kr.setPerm(notARing, NativeUpcallRig.WRITABLE); // else EACCES comes before ENOTDIR
        // The fake service records DONE on its own thread, maybe after N has exited: wait for it.
        java.util.concurrent.BlockingQueue<String> dones = new java.util.concurrent.LinkedBlockingQueue<>();
        rig.serve(c -> {
            String d = c.readReq().get(3);
            c.write(d.endsWith(":dest") ? inst(notARing, rig.linkRing, 1) : inst(SESSION, notARing, 1));
            dones.add(c.readLine());
            c.readLine();
        });
        assertEquals(-Errno.ENOKEY, rig.request("dest", NativeUpcallRig.ROOT_CO));
        int key = rig.request("link", NativeUpcallRig.ROOT_CO); // instantiated before the link failed
        assertTrue(key > 0, "errno " + -key);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            got.add(dones.poll(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertEquals(List.of("DONE -" + Errno.ENOTDIR, "DONE -" + Errno.ENOTDIR), got);
        String log = String.join("\n", rig.log());
        assertTrue(log.contains("keyctl instantiate on key") && log.contains("keyctl link on key " + key), log);
        assertEquals(List.of(), rig.calls());
    }

    /** No service and none starts: today's JVM upcall with the same argv, said once a minute. */
    @Test
    void withoutServiceTheJvmUpcallRuns() throws Exception {
        assertEquals(-Errno.ENOKEY, rig.request("f1", NativeUpcallRig.ROOT_CO));
        assertEquals(-Errno.ENOKEY, rig.request("f1b", NativeUpcallRig.ROOT_CO));
        List<String> calls = rig.calls();
        assertEquals(4, calls.size(), calls.toString());
        assertEquals("lgss_keyringd --socket " + rig.sock, calls.get(0));
        assertTrue(calls.get(1).matches("lgss_keyring create [0-9]+ user " + rig.description("f1") + " "
                + NativeUpcallRig.ROOT_CO.replace(".", "\\.") + " 0 0 [0-9]+ [0-9]+ [0-9]+"), calls.get(1));
        assertEquals(1, rig.log().stream().filter(l -> l.contains(F1_LINE)).count(), rig.log().toString());
        // As lgss_keyring's __logmsg (lgss_utils.c, commit 02b456e4): "[%d]:%s:%s(): " with
        // getpid(), the level's name and the C function; LOG_PERROR's "ident: " before it.
        assertTrue(rig.log().get(0).matches("lgss_keyring: \\[[1-9][0-9]*\\]:WARNING:fallback_log\\(\\): key [0-9a-f]{8}: .*"),
                rig.log().toString());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(rig.dir.resolve("lgss_keyring.f1.stamp"))));
    }

    /** What is not a root SK upcall never reaches the service. */
    @Test
    void otherUpcallsGoStraightToTheJvm() throws Exception {
        NativeUpcallRig.FakeService s = rig.serve(c -> c.readReq());
        assertEquals(-Errno.ENOKEY, rig.request("user", USER_CO));
        assertEquals(-Errno.ENOKEY, rig.request("krb", NativeUpcallRig.ROOT_CO.replace(":sk:", ":krb5:")));
        assertEquals(2, rig.calls().size(), rig.calls().toString());
        assertTrue(rig.calls().stream().allMatch(l -> l.startsWith("lgss_keyring create ")));
        assertEquals(List.of(), s.transcript);
        assertEquals(List.of(), rig.log());
    }

    /** The service vanishes after INST: a detached negotiator gets the go byte; N exits 0. */
    @Test
    void serviceGoneAfterInstStartsTheNegotiator() throws Exception {
        rig.serve(c -> {
            c.readReq();
            c.write(inst(SESSION, rig.linkRing, 1));
            c.readLine();
        });
        int key = rig.request("f2", NativeUpcallRig.ROOT_CO);
        assertTrue(key > 0, "errno " + -key);
        Path stdin = rig.dir.resolve("stdin");
        for (int i = 0; i < 500 && !(Files.exists(stdin) && Files.size(stdin) == 1); i++) {
            Thread.sleep(10);
        }
        assertEquals("g", Files.readString(stdin));
        assertTrue(rig.calls().get(0).startsWith("lgss_keyring --negotiate create " + key + " user "), rig.calls().toString());
        assertTrue(rig.log().stream().anyMatch(l -> l.contains("a background JVM negotiates")), rig.log().toString());
    }

    /**
     * Concurrent upcalls with no service: one start under the lock, all served by it at once,
     * not once the process watching the start has gone (it lives as long as the stub service).
     */
    @Test
    @Timeout(12)
    void theServiceIsStartedOnceOnDemand() throws Exception {
        Files.writeString(rig.dir.resolve("start-ok"), "");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> keys = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String name = "od" + i;
                keys.add(pool.submit(() -> rig.request(name, NativeUpcallRig.ROOT_CO)));
            }
            Path started = rig.dir.resolve("started");
            while (!Files.exists(started)) {
                Thread.sleep(5);
            }
            rig.serve(c -> {
                c.readReq();
                c.write(inst(SESSION, rig.linkRing, 1));
                c.readLine();
                c.write("OK\n");
            });
            for (Future<Integer> k : keys) {
                assertTrue(k.get(30, TimeUnit.SECONDS) > 0, rig.log().toString());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("lgss_keyringd --socket " + rig.sock), rig.calls());
        // The start lock is free once the service is up, though the process that watches the
        // start lives on: an inherited lock would hold every later upcall until it exits.
        Process f = new ProcessBuilder("flock", "-n", rig.dir.resolve("lgss_keyringd.lock").toString(), "true")
                .redirectErrorStream(true).start();
        assertEquals(0, f.waitFor(), "the start lock is still held");
    }

    /** Anything but a well-formed answer within 5 s, or a peer not root's: F1, key untouched. */
    @Test
    void badAnswersAndPeersFallBack() throws Exception {
        List<String> answers = List.of("NOPE\n", "OK\n", "INST 0x3f 0 5\n", "INST 0X3f 0 5 1\n", "INST 0x3f 00 5 1\n",
                "INST 0x3f -0 5 1\n", "INST 0x3f 0 0 1\n", "INST 0x3f 0 5 4097\n", "INST 0x123456789 0 5 1\n",
                "INST 0x3f 0 5 1 \n", "INST 0x3f 0 5 1\nOK\n", "INST 0x3f 0 +5 1\n", "REFUSE 1 0\n",
                "REFUSE 1 4096\n", "REFUSE -1 5\n", "REFUSE 1\0 5\n", "x".repeat(9000), "", "wait");
        List<String> after = new ArrayList<>();
        rig.serve(c -> {
            String name = c.readReq().get(3);
            String a = answers.get(Integer.parseInt(name.substring(name.lastIndexOf(':') + 2)));
            if (a.isEmpty()) {
                after.add(null); // closed before answering
                return;
            } else if (a.equals("wait")) {
                Thread.sleep(6000);
            } else {
                c.write(a);
            }
            after.add(c.readLine());
        });
        for (int i = 0; i < answers.size(); i++) {
            assertEquals(-Errno.ENOKEY, rig.request("a" + i, NativeUpcallRig.ROOT_CO), answers.get(i));
            assertTrue(rig.calls().get(i).startsWith("lgss_keyring create "), rig.calls().toString());
        }
        assertTrue(after.stream().allMatch(l -> l == null), after.toString()); // N said nothing more
        assertTrue(rig.log().get(0).contains("unexpected answer"), rig.log().toString());
        assertTrue(LocalUser.available(), "useradd and setpriv");
        try (LocalUser u = LocalUser.create()) {
            Path d = Files.createDirectory(rig.dir.resolve("u"));
            Files.setPosixFilePermissions(rig.dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            Files.setOwner(d, d.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(u.name()));
            Files.writeString(rig.dir.resolve("socket-path"), d.resolve("s.sock").toString());
            Process p = u.command("/usr/bin/python3", "-c", "import socket,sys,time\n"
                    + "s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)\n"
                    + "open(sys.argv[2],'w').close(); time.sleep(30)", d.resolve("s.sock").toString(),
                    d.resolve("ready").toString()).start();
            try {
                for (int i = 0; i < 1000 && !Files.exists(d.resolve("ready")); i++) {
                    Thread.sleep(10);
                }
                assertEquals(-Errno.ENOKEY, rig.request("peer", NativeUpcallRig.ROOT_CO));
                assertTrue(rig.log().stream().anyMatch(l -> l.contains("the service is not root's")),
                        rig.log().toString());
            } finally {
                p.destroyForcibly().waitFor();
                Files.setPosixFilePermissions(rig.dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        }
    }
}
