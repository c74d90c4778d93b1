package lsk.obd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The shim's obd_ioctl_data and lustre_cfg against the x86_64 layouts written here by hand
 * (lustre uapi lustre_ioctl.h / lustre_cfg.h; sizeof(struct obdo) = 208 per lustre's
 * wiretest.c): obd_ioctl_data is ioc_len 0, ioc_version 4, ioc_dev 456, ioc_type 476,
 * ioc_plen1 480, ioc_pbuf1 488, ioc_inllen1 512, ioc_inlbuf1 520, inline bytes from 576;
 * lustre_cfg is version 0, command 4, num 8, flags 12, nid 16, nal 24, bufcount 28,
 * buflens from 32, buffers from ALIGN8(32 + 4 * bufcount).
 */
class ObdIoctlLayoutTest {
    static final ObdNative SHIM = load();
    static final int EINVAL = 22;
    static final int ENOSPC = 28;

    static ObdNative load() {
        try {
            return ObdNative.load();
        } catch (lsk.base.LskException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] sha() {
        byte[] s = new byte[32];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (0xa0 + i);
        }
        return s;
    }

    @Test
    void lookupShaLustreCfg() {
        byte[] sha = sha();
        ByteBuffer e = ByteBuffer.allocate(72).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(0, 0x1cf60001);   // LUSTRE_CFG_VERSION
        e.putInt(4, 0x000ce066);   // LCFG_NODEMAP_LOOKUP_SHA
        e.putInt(8, 0);            // lcfg_num
        e.putInt(12, 0);           // lcfg_flags
        e.putLong(16, 0);          // lcfg_nid
        e.putInt(24, 0);           // lcfg_nal
        e.putInt(28, 2);           // lcfg_bufcount
        e.putInt(32, 0);           // buflens[0]: no nodemap named
        e.putInt(36, 32);          // buflens[1]: the hash
        e.put(40, sha);            // header ALIGN8(32 + 2 * 4) = 40; buffer 0 is empty
        byte[] out = new byte[100];
        Arrays.fill(out, (byte) 0x55);
        assertEquals(72, SHIM.lsk_obd_lcfg_lookup_sha(out, out.length, sha, 32));
        assertArrayEquals(e.array(), Arrays.copyOf(out, 72));
        assertEquals(0x55, out[72] & 0xff, "nothing written past the lcfg");
    }

    @Test
    void lookupShaRefusesOtherLengthsAndSmallBuffers() {
        assertEquals(-EINVAL, SHIM.lsk_obd_lcfg_lookup_sha(new byte[72], 72, new byte[31], 31));
        assertEquals(-EINVAL, SHIM.lsk_obd_lcfg_lookup_sha(new byte[72], 72, new byte[33], 33));
        assertEquals(-ENOSPC, SHIM.lsk_obd_lcfg_lookup_sha(new byte[71], 71, sha(), 32));
    }

    @Test
    void nodemapIoctlData() {
        long base = 0x00007f1122334000L;
        long lcfg = 0x00007f55667788a0L;
        ByteBuffer e = ByteBuffer.allocate(576).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(0, 576);          // ioc_len: ALIGN8(sizeof) and no inline buffer
        e.putInt(4, 0x00010004);   // OBD_IOCTL_VERSION
        e.putInt(456, 7);          // ioc_dev
        e.putInt(476, 123);        // ioc_type = LUSTRE_CFG_TYPE
        e.putInt(480, 72);         // ioc_plen1 = lcfg length
        e.putLong(488, lcfg);      // ioc_pbuf1 = the lcfg (the reply lands there too)
        byte[] out = new byte[700];
        Arrays.fill(out, (byte) 0x55);
        assertEquals(576, SHIM.lsk_obd_ioctl_pack(out, out.length, base, 7, 123, lcfg, 72, null, 0));
        assertArrayEquals(e.array(), Arrays.copyOf(out, 576));
        assertEquals(0x55, out[576] & 0xff);
    }

    @Test
    void name2devIoctlData() {
        long base = 0x00007f1122334000L;
        byte[] name = "MGS\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer e = ByteBuffer.allocate(584).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(0, 584);          // 576 + ALIGN8(4)
        e.putInt(4, 0x00010004);
        e.putInt(512, 4);          // ioc_inllen1: "MGS" and its NUL
        e.putLong(520, base + 576); // ioc_inlbuf1: the inline copy, right after the struct
        e.put(576, name);
        byte[] out = new byte[584];
        Arrays.fill(out, (byte) 0x55);
        assertEquals(584, SHIM.lsk_obd_ioctl_pack(out, out.length, base, 0, 0, 0, 0, name, 4));
        assertArrayEquals(e.array(), out);
    }

    @Test
    void packRefusesInconsistentInput() {
        byte[] out = new byte[1024];
        assertEquals(-EINVAL, SHIM.lsk_obd_ioctl_pack(out, out.length, 1, 0, 0, 0, 0, new byte[129], 129));
        assertEquals(-EINVAL, SHIM.lsk_obd_ioctl_pack(out, out.length, 1, 0, 123, 0, 72, null, 0));
        assertEquals(-EINVAL, SHIM.lsk_obd_ioctl_pack(out, out.length, 1, 0, 0, 0, 0, null, 4));
        assertEquals(-ENOSPC, SHIM.lsk_obd_ioctl_pack(new byte[583], 583, 1, 0, 0, 0, 0, new byte[4], 4));
    }
}
