package lsk.crypto;

import lsk.base.Bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import lsk.sk.HmacAlg;
import org.junit.jupiter.api.Test;

/** HMAC against RFC 4231, PBKDF2 against RFC 7914 section 11 and the RFC 6070-style SHA-2 vectors. */
class PrimitivesTest {
    private static byte[] h(String s) {
        return HexFormat.of().parseHex(s);
    }

    private static byte[] a(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void hmacRfc4231() {
        byte[] k1 = new byte[20];
        java.util.Arrays.fill(k1, (byte) 0x0b);
        assertArrayEquals(h("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
                Hmacs.hmac(HmacAlg.SHA256, k1, a("Hi There")));
        assertArrayEquals(h("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b"
                + "274eaea3f4e4be9d914eeb61f1702e696c203a126854"), Hmacs.hmac(HmacAlg.SHA512, k1, a("Hi There")));
        assertArrayEquals(h("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
                Hmacs.hmac(HmacAlg.SHA256, a("Jefe"), a("what do ya want "), a("for nothing?")));
        assertArrayEquals(h("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d03"
                + "4f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
                Hmacs.hmac(HmacAlg.SHA512, a("Jefe"), a("what do ya want for nothing?")));
        byte[] k6 = new byte[131];
        java.util.Arrays.fill(k6, (byte) 0xaa);
        assertArrayEquals(h("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
                Hmacs.hmacSha256(k6, a("Test Using Larger Than Block-Size Key - Hash Key First")));
    }

    @Test
    void emptyKeyHmacIsStandard() {
        // Python hmac.new(b'', b'abc', sha256)
        assertArrayEquals(h("fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351"),
                Hmacs.hmacSha256(new byte[0], a("abc")));
    }

    @Test
    void pbkdf2Sha256Rfc7914() {
        assertArrayEquals(h("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664"
                + "b39d77ef317c71b845b1e30bd509112041d3a19783"), Pbkdf2.derive(HmacAlg.SHA256, a("passwd"), a("salt"), 1, 64));
        assertArrayEquals(h("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb84"
                + "1b51c9b3176a272bdebba1d078478f62b397f33c8d"),
                Pbkdf2.derive(HmacAlg.SHA256, a("Password"), a("NaCl"), 80000, 64));
    }

    @Test
    void pbkdf2Sha256Rfc6070Style() {
        assertArrayEquals(h("120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
                Pbkdf2.derive(HmacAlg.SHA256, a("password"), a("salt"), 1, 32));
        assertArrayEquals(h("ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
                Pbkdf2.derive(HmacAlg.SHA256, a("password"), a("salt"), 2, 32));
        assertArrayEquals(h("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
                Pbkdf2.derive(HmacAlg.SHA256, a("password"), a("salt"), 4096, 32));
        assertArrayEquals(h("348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"),
                Pbkdf2.derive(HmacAlg.SHA256, a("passwordPASSWORDpassword"),
                        a("saltSALTsaltSALTsaltSALTsaltSALTsalt"), 4096, 40));
    }

    @Test
    void pbkdf2Sha512() {
        assertArrayEquals(h("867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999"
                + "bfe943c08f050235d7d68b1da55e63f73b60a57fce"), Pbkdf2.derive(HmacAlg.SHA512, a("password"), a("salt"), 1, 64));
        assertArrayEquals(h("e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53cf76cab2868a39b9f7840ed"
                + "ce4fef5a82be67335c77a6068e04112754f27ccf4e"), Pbkdf2.derive(HmacAlg.SHA512, a("password"), a("salt"), 2, 64));
    }

    /**
     * Passwords longer than the hash block (hashed first, RFC 2104) and the empty password, which
     * the published vectors above do not reach: against the JDK's own PBKDF2 (SecretKeyFactory,
     * an independent implementation; ASCII passwords are the same bytes there).
     */
    @Test
    void pbkdf2AgainstJdkForLongAndEmptyPasswords() throws Exception {
        String longPw = "Integrity".repeat(20); // 180 bytes: more than both block sizes
        for (HmacAlg alg : new HmacAlg[] {HmacAlg.SHA256, HmacAlg.SHA512}) {
            javax.crypto.SecretKeyFactory f = javax.crypto.SecretKeyFactory.getInstance("PBKDF2With" + alg.jcaName());
            for (String pw : new String[] {longPw, longPw.substring(0, alg == HmacAlg.SHA256 ? 64 : 128), ""}) {
                byte[] want = f.generateSecret(new javax.crypto.spec.PBEKeySpec(pw.toCharArray(), a("NaCl"), 3,
                        8 * 70)).getEncoded();
                assertArrayEquals(want, Pbkdf2.derive(alg, a(pw), a("NaCl"), 3, 70), alg + " password length " + pw.length());
            }
        }
    }

    @Test
    void constantTimeEqualsAndWipe() {
        assertTrue(Bytes.constantTimeEquals(new byte[] {1, 2}, new byte[] {1, 2}));
        assertFalse(Bytes.constantTimeEquals(new byte[] {1, 2}, new byte[] {1, 3}));
        assertFalse(Bytes.constantTimeEquals(new byte[] {1, 2}, new byte[] {1, 2, 3}));
        byte[] x = {1, 2, 3};
        Bytes.wipe(x, null);
        assertArrayEquals(new byte[3], x);
        assertArrayEquals(h("3201a8c000000200"), Bytes.u64HostOrder(0x00020000c0a80132L));
        assertEquals(3, Bytes.unsignedPadded(java.math.BigInteger.valueOf(255), 3).length);
    }
}
