package lsk.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lsk.cmd.Io;
import lsk.kernel.ParamPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's text doctor reads, as the kernel prints it, and the command's options. */
class DoctorLinesTest {
    @TempDir
    Path tmp;

    @Test
    void expiredKeysFromProcKeys() {
        // Lines as this machine's kernel printed them (proc_keys_show: serial flags usage timeout
        // perm uid gid type description: summary), for an expired and a live user key.
        List<String> lines = List.of(
                "3ab545b7 I--Q---     1 expd 3f010000     0     0 user      lustre:doctest: 1",
                "1c2d3e4f I--Q---     1 perm 3f3f0000     0     0 user      lustre:tank:default: 2407",
                "0b0c0d0e I--Q---     1 expd 3f010000     0     0 keyring   lustre:ring: empty",
                "2b0c0d0e I--Q---     1 expd 3f010000     0     0 user      other:x: 3");
        List<String[]> e = KeyChecks.expired(lines, "lustre:");
        assertEquals(1, e.size());
        assertEquals("3ab545b7", e.get(0)[0]);
        assertEquals("lustre:doctest", e.get(0)[1]);
    }

    @Test
    void socketFromSysconfig() throws Exception {
        Node node = new Node(tmp, new ParamPaths(tmp), tmp.resolve("proc"), List.of(), "lustre:", 17, "17", 0);
        assertEquals("/run/lsk/svcgssd.socket", new DaemonChecks(node).socketName());
        Files.createDirectories(tmp.resolve("etc/sysconfig"));
        Files.writeString(tmp.resolve("etc/sysconfig/lsvcgss"), "#LSVCGSSDARGS=\"-s\"\nLSVCGSSDARGS=\"-s --socket /tmp/svcgssd.socket -v\"\n");
        assertEquals("/tmp/svcgssd.socket", new DaemonChecks(node).socketName());
    }

    @Test
    void commandOptions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), tmp, Map.of());
        assertEquals(0, new Doctor().run(List.of("--help"), io));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: lsk doctor"));
        assertEquals(Doctor.MAX_STATUS + 1, new Doctor().run(List.of("--bogus"), io));
        assertEquals(Doctor.MAX_STATUS + 1, new Doctor().run(List.of("extra"), io));
    }
}
