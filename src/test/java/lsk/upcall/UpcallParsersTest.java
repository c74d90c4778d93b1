package lsk.upcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import lsk.base.DecodeException;
import lsk.sk.Flags;
import lsk.kernel.KernelAbi;
import lsk.kernel.sim.SimCallout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * lgss_keyring's two inputs from the kernel and request-key: the callout info (format of the
 * kernel's {@code "%d:%s:%u:%u:%s:%c:%d:%#llx:%s:%#llx:%d"}, SK-PROTOCOL.md section 6) and the
 * argv. Well-formed input parses to the right fields; anything else is refused with a
 * DecodeException naming the input (the command logs it and exits 1).
 */
class UpcallParsersTest {
    /** As the kernel formats it: root flags, integrity, NIDs with %#llx, the client obd name as target. */
    static final String KERNEL_COINFO = "17:sk:0:0:r:i:2:0x20000c0a80165:tank-MDT0000-mdc-ffff8a3c41c6d000:"
            + "0x20000c0a80132:4242";

    @Test
    void kernelFormattedCalloutParses() throws Exception {
        CalloutInfo c = CalloutInfo.parse(KERNEL_COINFO);
        assertEquals(17, c.secid());
        assertEquals("sk", c.mech());
        assertEquals(0, c.uid());
        assertTrue(c.root() && !c.mdt() && !c.ost() && c.rootCred());
        assertEquals('i', c.svcType());
        assertEquals(2, c.lustreSvc());
        assertEquals(0x20000c0a80165L, c.targetNid());
        assertEquals("tank-MDT0000-mdc-ffff8a3c41c6d000", c.targetUuid());
        assertEquals(0x20000c0a80132L, c.selfNid());
        assertEquals(4242, c.pid());
        assertNull(c.clientUuid());
        assertEquals(Flags.ROOT | Flags.SVC_INTEGRITY, c.wireFlags());
    }

    @Test
    void userCredentialsHaveEmptyFlagsAndTwelfthFieldIsTheClientUuid() throws Exception {
        CalloutInfo c = CalloutInfo.parse("3:sk:1000:100::p:1:0:tank-OST0001_UUID:0x50000c0a80132:0:cl-uuid-1");
        assertFalse(c.rootCred());
        assertEquals(1000, c.uid());
        assertEquals(100, c.gid());
        assertEquals(0L, c.targetNid()); // %#llx prints 0 as "0"
        assertEquals("cl-uuid-1", c.clientUuid());
        assertEquals(Flags.SVC_PRIVACY, c.wireFlags());
    }

    @Test
    void flagLettersAndServiceTypes() throws Exception {
        CalloutInfo c = CalloutInfo.parse(KERNEL_COINFO.replace(":r:i:", ":mo:n:"));
        assertTrue(!c.root() && c.mdt() && c.ost() && c.rootCred());
        assertEquals(Flags.MDT | Flags.OST | Flags.SVC_NULL, c.wireFlags());
        assertEquals(Flags.ROOT | Flags.MDT | Flags.SVC_AUTH,
                CalloutInfo.parse(KERNEL_COINFO.replace(":r:i:", ":rm:a:")).wireFlags());
        assertEquals(4294967295L, Integer.toUnsignedLong(
                CalloutInfo.parse(KERNEL_COINFO.replace("17:sk:0:0", "17:sk:4294967295:0")).uid()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                                     // nothing
        "17:sk:0:0:r:i:2:0x1:tgt:0x2",                          // 10 fields
        "17:sk:0:0:r:i:2:0x1:tgt:0x2:1:cl:extra",               // 13 fields
        ":sk:0:0:r:i:2:0x1:tgt:0x2:1",                          // empty secid
        "-1:sk:0:0:r:i:2:0x1:tgt:0x2:1",                        // negative secid
        "+1:sk:0:0:r:i:2:0x1:tgt:0x2:1",                        // sign
        "0x11:sk:0:0:r:i:2:0x1:tgt:0x2:1",                      // hex where the kernel writes %d
        "017:sk:0:0:r:i:2:0x1:tgt:0x2:1",                       // leading zero (octal in strtol)
        "2147483648:sk:0:0:r:i:2:0x1:tgt:0x2:1",                // secid beyond int
        "17:sk:4294967296:0:r:i:2:0x1:tgt:0x2:1",               // uid beyond u32
        "17:sk:0:99999999999:r:i:2:0x1:tgt:0x2:1",              // gid beyond u32
        "17::0:0:r:i:2:0x1:tgt:0x2:1",                          // empty mech
        "17:SK:0:0:r:i:2:0x1:tgt:0x2:1",                        // not a mechanism name
        "17:sk/../x:0:0:r:i:2:0x1:tgt:0x2:1",                   // path-like mech
        "17:sk:0:0:rr:i:2:0x1:tgt:0x2:1",                       // repeated flag
        "17:sk:0:0:x:i:2:0x1:tgt:0x2:1",                        // unknown flag
        "17:sk:0:0:r::2:0x1:tgt:0x2:1",                         // empty service type
        "17:sk:0:0:r:ip:2:0x1:tgt:0x2:1",                       // two service types
        "17:sk:0:0:r:x:2:0x1:tgt:0x2:1",                        // unknown service type
        "17:sk:0:0:r:i:65536:0x1:tgt:0x2:1",                    // lustre svc beyond 16 bits
        "17:sk:0:0:r:i:2::tgt:0x2:1",                           // empty target nid
        "17:sk:0:0:r:i:2:0xZZ:tgt:0x2:1",                       // not hex
        "17:sk:0:0:r:i:2:0x10000000000000000:tgt:0x2:1",        // beyond 64 bits
        "17:sk:0:0:r:i:2:0x1::0x2:1",                           // empty target
        "17:sk:0:0:r:i:2:0x1:tgt:0x2:",                         // empty pid
        "17:sk:0:0:r:-:2:0x1:tgt:0x2:1",                        // root flags with a user's service type
        "17:sk:0:0:rmo:-:2:0x1:tgt:0x2:1",                      // same, MGC flags
        "17:sk:500:500::--:2:0x1:tgt:0x2:1",                    // two dashes
        "17:sk:500:500::+:2:0x1:tgt:0x2:1",                     // not a service type
        "17:sk:500:500:-:-:2:0x1:tgt:0x2:1",                    // dash as flags
        "17:sk:0:0:r:i:2:0x:tgt:0x2:1",                         // bare 0x
        "17:sk:0:0:r:i:2:-0x1:tgt:0x2:1",                       // negative nid
        "17:sk:0:0:r:i:2:00x1:tgt:0x2:1",                       // junk prefix
        "17:sk:0:0:r:i:2:0x1:tgt:0x2:-1",                       // negative pid
        "17:sk:0:0:r:i:2:0x1:tgt:0x2:1::",                      // 13 fields, empty
        "17:sk:0:0:r:i:2:0x1:t gt:0x2:1",                       // space
        "17:sk:0:0:r:i:2:0x1:tgt\n:0x2:1",                      // newline (log injection)
        "17:sk:0:0:r:i:2:0x1:tgt\u0000x:0x2:1",                 // NUL
        "17:sk:0:0:r:i:2:0x1:t\u00e9t:0x2:1",                   // non-ASCII
        "17:sk:0:0:r:i:2:0x1:tgt:0x2:\u0661",                   // non-ASCII digit
    })
    void hostileCalloutInfoIsRefused(String s) {
        DecodeException e = assertThrows(DecodeException.class, () -> CalloutInfo.parse(s));
        assertEquals(CalloutInfo.FIELD, e.field());
        assertFalse(e.getMessage().contains("\n"), "message must stay one log line");
    }

    @Test
    void oversizedFieldsAreRefused() {
        String longTarget = "t".repeat(CalloutInfo.MAX_UUID + 1);
        assertThrows(DecodeException.class, () -> CalloutInfo.parse(KERNEL_COINFO.replace(
                "tank-MDT0000-mdc-ffff8a3c41c6d000", longTarget)));
        assertThrows(DecodeException.class, () -> CalloutInfo.parse(KERNEL_COINFO + ":" + "c".repeat(40)));
        String huge = KERNEL_COINFO.replace("4242", "4242" + ":" + "x".repeat(CalloutInfo.MAX_LENGTH));
        assertThrows(DecodeException.class, () -> CalloutInfo.parse(huge));
        assertThrows(DecodeException.class, () -> CalloutInfo.parse(":".repeat(100_000)));
    }

    /** A normal user's credentials as the kernel sends them: flags empty, service type '-'. */
    @Test
    void userCredentialsAsTheKernelSendsThem() throws Exception {
        CalloutInfo c = CalloutInfo.parse("9:sk:1000:1000::-:1:0x20000c0a80165:tank-MDT0000-mdc-ffff8881a2b4c000:"
                + "0x20000c0a80132:31337");
        assertFalse(c.root() || c.mdt() || c.ost() || c.rootCred());
        assertEquals('-', c.svcType());
        assertEquals(1000, c.uid());
        assertEquals(31337, c.pid());
        // As lgss_sk_prepare_cred: no service bit when the kernel names none; no root bits either.
        assertEquals(0, c.wireFlags());
        assertEquals(11, c.fieldCount());
    }

    /** %#llx prints 0 as "0"; the pid is 0 when the kernel does not switch namespaces. */
    @Test
    void zeroNidsAndPid() throws Exception {
        CalloutInfo c = CalloutInfo.parse("1:sk:0:0:rmo:p:0:0:MGC192.168.1.10@tcp:0:0");
        assertEquals(0L, c.targetNid());
        assertEquals(0L, c.selfNid());
        assertEquals(0, c.pid());
        assertEquals("MGC192.168.1.10@tcp", c.targetUuid());
        assertEquals(Flags.ROOT | Flags.MDT | Flags.OST | Flags.SVC_PRIVACY, c.wireFlags());
    }

    @Test
    void twelfthFieldMayBeEmptyAndIsAcceptedOnlyWhereTheKernelSendsIt() throws Exception {
        CalloutInfo empty = CalloutInfo.parse(KERNEL_COINFO + ":");
        assertEquals("", empty.clientUuid());
        assertEquals(12, empty.fieldCount());
        CalloutInfo full = CalloutInfo.parse(KERNEL_COINFO + ":" + "c".repeat(CalloutInfo.MAX_CLIENT_UUID));
        assertEquals(12, full.fieldCount());
        CalloutInfo eleven = CalloutInfo.parse(KERNEL_COINFO);
        for (KernelAbi abi : KernelAbi.values()) {
            eleven.checkFor(abi); // 11 fields: every version
            if (abi.calloutFields == 12) {
                empty.checkFor(abi);
                full.checkFor(abi);
            } else {
                DecodeException e = assertThrows(DecodeException.class, () -> empty.checkFor(abi));
                assertTrue(e.getMessage().contains("12 fields"), e.getMessage());
                assertThrows(DecodeException.class, () -> full.checkFor(abi));
            }
        }
    }

    /** What the simulated kernel formats, for each version and credential kind, parses back. */
    @Test
    void simulatedKernelCalloutsParse() throws Exception {
        for (KernelAbi abi : KernelAbi.values()) {
            String uuid = abi.calloutFields == 12 ? "" : null;
            CalloutInfo r = CalloutInfo.parse(SimCallout.root(3, 'i', 2, 0, "tank-OST0001-osc-ffff8881a2b4c000",
                    0x20000c0a80132L, 0, uuid).format(abi));
            r.checkFor(abi);
            assertEquals(abi.calloutFields, r.fieldCount());
            assertEquals("tank-OST0001-osc-ffff8881a2b4c000", r.targetUuid());
            assertEquals(0L, r.targetNid());
            assertEquals(Flags.ROOT | Flags.SVC_INTEGRITY, r.wireFlags());
            CalloutInfo u = CalloutInfo.parse(SimCallout.user(4, 500, 501, 1, 0x20000c0a80165L,
                    "tank-MDT0000-mdc-ffff8881a2b4c000", 0x20000c0a80132L, 4242, uuid).format(abi));
            assertFalse(u.rootCred());
            assertEquals('-', u.svcType());
            assertEquals(500, u.uid());
            assertEquals(501, u.gid());
        }
    }

    static List<String> argv(String... head) {
        List<String> a = new ArrayList<>(List.of(head));
        a.addAll(List.of("create", "123456", "lgssc", "desc:tank", KERNEL_COINFO, "0", "0", "0", "0", "987654"));
        return a;
    }

    /**
     * Root, MDT and OST flags (and a callout uid of 0) are honoured only when the callout's uid
     * and request-key's %u are both 0.
     */
    @Test
    void rootFlagsNeedUidZeroInTheCalloutAndFromRequestKey() throws Exception {
        for (String flags : new String[] {"r", "m", "o", "rmo"}) {
            for (String[] uids : new String[][] {{"0", "0"}, {"0", "1000"}, {"1000", "0"}, {"1000", "1000"}}) {
                List<String> a = argv();
                a.set(4, KERNEL_COINFO.replace("17:sk:0:0:r:", "17:sk:" + uids[0] + ":0:" + flags + ":"));
                a.set(5, uids[1]);
                UpcallArgs u = UpcallArgs.parse(a);
                assertEquals(flags, u.callout().flagLetters());
                assertEquals(uids[0].equals("0") && uids[1].equals("0"), u.rootContextAllowed(),
                        flags + " with callout uid " + uids[0] + ", %u " + uids[1]);
            }
        }
        String userCo = "9:sk:%s:1000::-:1:0x20000c0a80165:tank-MDT0000-mdc-ffff8881a2b4c000:0x20000c0a80132:1";
        List<String> user = argv();
        user.set(4, String.format(userCo, "1000"));
        user.set(5, "1000");
        assertTrue(UpcallArgs.parse(user).rootContextAllowed(), "a user's own context");
        assertEquals("", UpcallArgs.parse(user).callout().flagLetters());
        // No flags but uid 0: the kernel never sends it (uid 0 gets the flags); uid 0's context all the same.
        user.set(4, String.format(userCo, "0"));
        assertFalse(UpcallArgs.parse(user).rootContextAllowed(), "uid 0's context for requester 1000");
        user.set(5, "0");
        assertTrue(UpcallArgs.parse(user).rootContextAllowed());
    }

    @Test
    void requestKeyArgvParses() throws Exception {
        UpcallArgs a = UpcallArgs.parse(argv());
        assertNull(a.realm());
        assertEquals(123456, a.keyId());
        assertEquals("lgssc", a.type());
        assertEquals("desc:tank", a.description());
        assertEquals(987654, a.sessionKeyring());
        assertEquals("sk", a.callout().mech());
        assertEquals("EXAMPLE.COM", UpcallArgs.parse(argv("-R", "EXAMPLE.COM")).realm());
        assertEquals("EXAMPLE.COM", UpcallArgs.parse(argv("-REXAMPLE.COM")).realm());
        assertEquals("EXAMPLE.COM", UpcallArgs.parse(argv("--realm=EXAMPLE.COM")).realm());
        assertEquals("EXAMPLE.COM", UpcallArgs.parse(argv("--realm", "EXAMPLE.COM")).realm());
    }

    @Test
    void hostileArgvIsRefused() {
        List<List<String>> bad = new ArrayList<>();
        bad.add(List.of());
        bad.add(List.of("-R"));
        bad.add(argv().subList(0, 9));                          // 9 parameters
        List<String> eleven = argv();
        eleven.add("extra");
        bad.add(eleven);
        bad.add(argv("-x"));                                    // unknown option counts as a parameter
        for (int i : new int[] {1, 5, 6, 7, 8, 9}) {            // numeric fields
            for (String v : new String[] {"", "abc", "-5", "+5", "0x10", "99999999999", "2147483648", "1 2"}) {
                List<String> a = argv();
                a.set(i, v);
                bad.add(a);
            }
        }
        List<String> op = argv();
        op.set(0, "update");
        bad.add(op);
        List<String> co = argv();
        co.set(4, "garbage");
        bad.add(co);
        for (List<String> a : bad) {
            DecodeException e = assertThrows(DecodeException.class, () -> UpcallArgs.parse(a), a.toString());
            assertEquals(UpcallArgs.FIELD, e.field(), a.toString());
        }
    }

    @Test
    void typeAndDescriptionAreBounded() {
        List<String> a = argv();
        a.set(3, "d".repeat(UpcallArgs.MAX_DESCRIPTION + 1));
        assertThrows(DecodeException.class, () -> UpcallArgs.parse(a));
        List<String> b = argv();
        b.set(2, "lg\nssc");
        assertThrows(DecodeException.class, () -> UpcallArgs.parse(b));
        List<String> c = argv();
        c.set(3, "desc\u0007");
        assertThrows(DecodeException.class, () -> UpcallArgs.parse(c));
    }
}
