package lsk.kernel.sim;

import lsk.kernel.KernelAbi;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The simulated kernel's callout string against the kernel's format
 * {@code "%d:%s:%u:%u:%s:%c:%d:%#llx:%s:%#llx:%d"}, written out by hand per case.
 */
class SimCalloutTest {
    static final String MDC = "tank-MDT0000-mdc-ffff8881a2b4c000";

    @Test
    void rootContextOf216And2170HasElevenFields() {
        SimCallout c = SimCallout.root(17, 'i', 1, 0x20000c0a80165L, MDC, 0x20000c0a80132L, 4242, null);
        String want = "17:sk:0:0:r:i:1:0x20000c0a80165:" + MDC + ":0x20000c0a80132:4242";
        assertEquals(want, c.format(KernelAbi.V2_16));
        assertEquals(want, c.format(KernelAbi.V2_17_0));
        assertEquals(want, c.format(KernelAbi.V2_17_51));
    }

    @Test
    void masterAddsTheClientUuidFieldEmptyOrNot() {
        SimCallout none = SimCallout.root(1, 'p', 0, 0x20000c0a80165L, "MGC192.168.1.10@tcp", 0x20000c0a80132L, 7, null);
        assertEquals("1:sk:0:0:r:p:0:0x20000c0a80165:MGC192.168.1.10@tcp:0x20000c0a80132:7:",
                none.format(KernelAbi.V2_17_54));
        SimCallout some = SimCallout.root(1, 'p', 0, 1, MDC, 2, 7, "cl-1");
        assertEquals("1:sk:0:0:r:p:0:0x1:" + MDC + ":0x2:7:cl-1", some.format(KernelAbi.V2_17_54));
        assertThrows(IllegalArgumentException.class, () -> some.format(KernelAbi.V2_16));
    }

    @Test
    void userContextZeroNidsAndUnsignedIds() {
        SimCallout u = SimCallout.user(3, -2, -1, 2, 0, "tank-OST0001-osc-ffff8881a2b4c000", 0, 0, null);
        assertEquals("3:sk:4294967294:4294967295::-:2:0:tank-OST0001-osc-ffff8881a2b4c000:0:0",
                u.format(KernelAbi.V2_16));
        assertEquals("0", SimCallout.alternateHex(0));
        assertEquals("0xffffffffffffffff", SimCallout.alternateHex(-1));
        assertEquals("0xabc", SimCallout.alternateHex(0xabc));
    }
}
