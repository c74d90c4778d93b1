package lsk.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /proc/keys columns, the list's table, and the boot unit's ordering. */
class ProcKeysTest {
    @Test
    void parsesTheColumnsKeyctlDoesNotGive() {
        Map<Integer, ProcKeys> m = ProcKeys.parse(List.of(
                "0b3b0a9e I--Q---     1 perm 3f3f0000     0     0 user      lustre:tank:default: 2407",
                "2a1b7c02 I--Q---     1   9m 3f3f0000     0     0 user      lustre:tank:default:20261129_1: 2407",
                "1d6f1a40 I-RQ---     1 perm 3f3f0000     0     0 user      lustre:old: 2407",
                "garbage"));
        assertEquals(3, m.size());
        assertEquals(new ProcKeys("I--Q---", "perm"), m.get(0x0b3b0a9e));
        assertEquals("9m", m.get(0x2a1b7c02).timeout());
        assertFalse(m.get(0x2a1b7c02).gone());
        assertTrue(m.get(0x1d6f1a40).gone());
    }

    @Test
    void tableHasAHeaderAndNoControlCharacters() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        LoadedKeys.print(List.of(new LoadedKeys.Entry(7, "lustre:t\u001b[2J", "server", "t\u001b", "", "3600", "1h")),
                new PrintStream(b, true, StandardCharsets.UTF_8));
        assertEquals("SERIAL  DESCRIPTION   TYPE    FSNAME  NODEMAP  EXPIRE  TIMEOUT\n"
                + "7       lustre:t?[2J  server  t?      ''       3600    1h\n", b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void bootUnitLoadsTheKeyDirectoryBeforeRemoteMounts() throws Exception {
        String unit = Files.readString(Path.of("lustre-keys/lsk-keys.service"));
        for (String line : List.of("Type=oneshot", "RemainAfterExit=yes", "After=local-fs.target",
                "Before=remote-fs-pre.target lsvcgss.service", "Wants=remote-fs-pre.target",
                "Environment=LSK_KEYS_DIR=/etc/lustre/sk", "EnvironmentFile=-/etc/sysconfig/lsk-keys",
                "ExecStart=/usr/local/lib/lsk/scripts/lsk keys load $LSK_KEYS_ARGS ${LSK_KEYS_DIR}")) {
            assertTrue(unit.lines().anyMatch(l -> l.equals(line)), line);
        }
    }
}
