package lsk.lgsssk;

import lsk.sk.KeyPerm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyFiles;
import lsk.testutil.LocalUser;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringKeySource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key loaded by {@code lgss_sk -l} as root is out of reach of every other local user (issue 10
 * item 1: C's 0x3f3f3f3f let any user read, replace or revoke it), while root, its owner, still
 * reads it without possessing it, as the server daemon (its own session keyring under systemd)
 * and the upcall do. Real kernel keyring; the other user is created for the test.
 */
class LgssSkKeyPermissionsTest {
    @TempDir
    Path tmp;

    @Test
    void anotherUserCannotReadUpdateRevokeSetpermOrLinkALoadedKey() throws Exception {
        byte[] tag = new byte[3];
        new SecureRandom().nextBytes(tag);
        String fs = "kp" + HexFormat.of().formatHex(tag);
        Files.write(tmp.resolve("data.bin"), new SecureRandom().generateSeed(32));
        Run w = Run.lgssSk(tmp, "-t", "server", "-f", fs, "-d", "data.bin", "-w", "k.key");
        assertEquals(0, w.exit(), w.err());
        Run l = Run.lgssSk(tmp, "-l", "k.key");
        assertEquals(0, l.exit(), l.err());

        String description = "lustre:" + fs + ":default";
        Keyring kr = Keyring.open();
        OptionalInt found = kr.search(Keyring.USER, "user", description);
        assertTrue(found.isPresent(), description + " not loaded");
        int key = found.getAsInt();
        String s = Integer.toString(key);
        byte[] image = KeyFileCodec.encodeBinary(KeyFiles.decode("k.key", Files.readAllBytes(tmp.resolve("k.key")))
                .config());
        try {
            assertEquals(KeyPerm.POSSESSOR_OWNER, kr.describe(key).perm());
            try (LocalUser u = LocalUser.create()) {
                for (List<String> cmd : List.of(List.of("read", s), List.of("pipe", s), List.of("print", s),
                        List.of("update", s, "forged"), List.of("revoke", s), List.of("setperm", s, "0x3f3f3f3f"),
                        List.of("link", s, "@s"), List.of("timeout", s, "1"), List.of("invalidate", s))) {
                    String[] argv = new String[cmd.size() + 1];
                    argv[0] = "keyctl";
                    for (int i = 0; i < cmd.size(); i++) {
                        argv[i + 1] = cmd.get(i);
                    }
                    LocalUser.Result r = u.run(Path.of("/"), 30, argv);
                    assertNotEquals(0, r.exit(), "user " + u.name() + " could run keyctl " + cmd);
                    assertTrue(r.err().contains("Permission denied"), cmd + ": " + r.err());
                }
            }
            // Untouched, and still readable by root without possessing it (a fresh session keyring).
            Process p = new ProcessBuilder("keyctl", "session", "-", "keyctl", "pipe", s).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
            assertArrayEquals(image, out);
            assertEquals(KeyPerm.POSSESSOR_OWNER, kr.describe(key).perm());
            // What the daemon reads (lsk.gssd builds its responder on this key source).
            assertEquals(1, new KeyringKeySource(kr).keys(description).size());
        } finally {
            kr.revoke(key);
            kr.unlink(key, Keyring.USER);
        }
    }
}
