package lsk.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.kernel.KernelContext;
import lsk.kernel.KernelContextCodec;
import lsk.cmd.Log;
import lsk.sk.HmacAlg;
import lsk.keyring.Keyring;
import lsk.keyring.SkKeyring;
import lsk.upcall.KeyPayload;
import lsk.upcall.LgssKeyring;
import lsk.upcall.UpcallArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole flow at the highest verbosity (lgss_keyring debug_level 4 through request-key, the
 * daemon and simulated kernel logs, an in-process negotiation that fails): neither the shared
 * key nor any context key appears in any log, in hex or base64.
 */
class SecretHygieneE2eIT {
    @TempDir
    Path tmp;

    @Test
    void noSecretInTheLogsOfAFullFlow() throws Exception {
        List<byte[]> secrets = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        try (E2eRig rig = new E2eRig(tmp).start()) {
            byte[] shared = rig.newSharedKey();
            secrets.add(shared.clone());
            rig.load(rig.serverKey(shared, HmacAlg.SHA512), SkKeyring.LoadOptions.defaults());
            rig.load(rig.clientKey(shared, HmacAlg.SHA512), SkKeyring.LoadOptions.defaults());

            // Through request-key and scripts/lgss_keyring (a separate JVM) at debug level 4.
            int key = rig.request("hyg", rig.callout('p', null));
            KeyPayload.Success p = KeyPayload.parseSuccess(rig.awaitPayload(key, Duration.ofSeconds(60)));
            KernelContext c = KernelContextCodec.decode(p.context().reveal());
            KernelContext s = KernelContextCodec.decode(rig.serverContext(p.handle().toByteArray()).orElseThrow().context().reveal());
            secrets.add(c.hmacKey().reveal());
            secrets.add(c.encryptKey().reveal());
            secrets.add(s.hmacKey().reveal());
            assertEquals(32, c.encryptKey().size(), "skpi context with an encryption key");

            // In process, at every level: a failing one (no such server key) and a good one.
            List<String> inproc = new CopyOnWriteArrayList<>();
            Log all = (lvl, m) -> inproc.add(m);
            int bad = rig.placeholderKey("hyg-bad");
            UpcallArgs badArgs = args(rig, bad, "1:sk:0:0:r:p:1:0x20000c0a80165:nofs-MDT0000_UUID:0x20000c0a80132:1");
            LgssKeyring.negotiate(badArgs, rig.kernel().kernel(), rig.keyring, all);
            int good = rig.placeholderKey("hyg-good");
            assertEquals(0, LgssKeyring.negotiate(args(rig, good, rig.callout('i', null)), rig.kernel().kernel(),
                    rig.keyring, all), inproc.toString());
            KeyPayload.Success g = KeyPayload.parseSuccess(rig.keyring.read(good));
            secrets.add(KernelContextCodec.decode(g.context().reveal()).hmacKey().reveal());
            texts.addAll(inproc);
            texts.addAll(rig.log);
            Path upcallLog = rig.upcallLog();
            assertTrue(Files.exists(upcallLog) && Files.size(upcallLog) > 0, "request-key ran no upcall (or it logged nothing)");
            texts.add(Files.readString(upcallLog));
            texts.add(c.toString());
            texts.add(s.toString());
            texts.add(p.toString());
        }
        assertTrue(String.join("\n", texts).length() > 200, "too little logged to prove anything: " + texts);
        for (String t : texts) {
            for (byte[] k : secrets) {
                assertNoSecret(t, k);
            }
        }
    }

    private static UpcallArgs args(E2eRig rig, int key, String callout) throws Exception {
        return UpcallArgs.parse(List.of("create", Integer.toString(key), "user", "lskit-" + rig.fs + ":x", callout,
                "0", "0", "0", "0", Integer.toString(rig.keyring.resolve(Keyring.SESSION, false))));
    }

    private static void assertNoSecret(String text, byte[] secret) {
        if (secret.length < 8) {
            return;
        }
        String lower = text.toLowerCase(Locale.ROOT).replaceAll("\\s", "");
        String hex = HexFormat.of().formatHex(secret);
        for (int off = 0; off + 8 <= secret.length; off += 4) {
            String w = hex.substring(2 * off, 2 * off + 16);
            assertFalse(lower.contains(w), () -> "secret in hex in: " + text);
        }
        for (Base64.Encoder e : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
            String b = e.withoutPadding().encodeToString(secret);
            assertFalse(text.contains(b.substring(0, 11)), () -> "secret in base64 in: " + text);
        }
    }
}
