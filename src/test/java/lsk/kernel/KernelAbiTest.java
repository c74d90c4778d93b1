package lsk.kernel;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lsk.base.LskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The version table against SK-PROTOCOL.md section 7, as corrected by the lustre-release
 * sources (2.16.x lproc_gss.c registers rsi_info, rsc_info and rsi_upcall in debugfs; the
 * sysfs version moves only init_channel and lgss_keyring/debug_level). Expected values are
 * written out here, one row per version, not derived from the table under test.
 */
class KernelAbiTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // version,        rsc header, ioctl, callout, init_channel tree,        rsi/rsc tree,             nodemap
        "2.15.59,          48, 80, 11, sys/kernel/debug/lustre, sys/kernel/debug/lustre, NEVER",
        "2.16.0,           48, 80, 11, sys/kernel/debug/lustre, sys/kernel/debug/lustre, NEVER",
        "2.16.1,           48, 80, 11, sys/kernel/debug/lustre, sys/kernel/debug/lustre, NEVER",
        "2.16.58,          48, 80, 11, sys/kernel/debug/lustre, sys/kernel/debug/lustre, NEVER",
        "2.16.59,          48, 72, 11, sys/fs/lustre,           sys/kernel/debug/lustre, NEVER",
        "2.17.0,           48, 72, 11, sys/fs/lustre,           sys/kernel/debug/lustre, NEVER",
        "2.17.50,          48, 72, 11, sys/fs/lustre,           sys/kernel/debug/lustre, NEVER",
        "2.17.51,          72, 72, 11, sys/fs/lustre,           sys/kernel/debug/lustre, AFTER_SHA_LOOKUP",
        "2.17.53_12_gabc,  72, 72, 11, sys/fs/lustre,           sys/kernel/debug/lustre, AFTER_SHA_LOOKUP",
        "2.17.54,          72, 72, 12, sys/fs/lustre,           sys/kernel/debug/lustre, ALWAYS",
        "2.17.60,          72, 72, 12, sys/fs/lustre,           sys/kernel/debug/lustre, ALWAYS",
        "2.18.0,           72, 72, 12, sys/fs/lustre,           sys/kernel/debug/lustre, ALWAYS",
    })
    void table(String version, int rsc, int ioctl, int callout, String initTree, String downTree, String nodemap)
            throws Exception {
        KernelAbi abi = KernelAbi.of(LustreVersion.parse(version, "test"));
        assertEquals(rsc, abi.rscHeader.size, "rsc header");
        assertEquals(ioctl, abi.ioctlParam.size, "lgssd_ioctl_param");
        assertEquals(callout, abi.calloutFields, "callout fields");
        assertEquals(initTree, abi.treeOf(ParamPaths.INIT_CHANNEL).base, "init_channel");
        assertEquals(initTree, abi.treeOf(ParamPaths.KEYRING_DEBUG_LEVEL).base, "lgss_keyring/debug_level");
        assertEquals(downTree, abi.treeOf(ParamPaths.RSI_DOWNCALL).base, "rsi_info");
        assertEquals(downTree, abi.treeOf(ParamPaths.RSC_DOWNCALL).base, "rsc_info");
        assertEquals(downTree, abi.treeOf(ParamPaths.RSI_UPCALL).base, "rsi_upcall");
        assertEquals("sys/fs/lustre", abi.treeOf(KernelAbi.VERSION_PARAM).base, "version");
        assertEquals(nodemap, abi.nodemapName.name());
        assertEquals(abi.rscHeader == KernelAbi.RscHeader.H72, abi.rscHasNodemap());
        assertEquals(ioctl == 80, abi.ioctlParam == KernelAbi.IoctlParam.P80_STATUS_COPIED_BACK);
    }

    /**
     * 2.15.x: the client as 2.16.x (80-byte lgssd_ioctl_param with secid, gss_cli_upcall.c index
     * id 87811837; init_channel in debugfs and 11 callout fields per SK-PROTOCOL.md section 7);
     * the server on the sunrpc cache channels (gss_svc_upcall.c index id 19173571018: rsi_cache
     * "auth.sptlrpc.init", rsc_cache "auth.sptlrpc.context"), so no rsi_info, rsc_info, rsi_upcall.
     */
    @ParameterizedTest
    @CsvSource({"2.15.0", "2.15.3_114_gb61b66c_dirty", "2.15.8", "2.15.58"})
    void theLtsLineServesTheCacheChannels(String v) throws Exception {
        KernelAbi abi = KernelAbi.of(LustreVersion.parse(v, "test"));
        assertEquals(KernelAbi.V2_15, abi);
        assertEquals(KernelAbi.Server.CACHE_CHANNELS, abi.server());
        assertEquals(80, abi.ioctlParam.size);
        assertEquals(KernelAbi.IoctlParam.P80_STATUS_COPIED_BACK, abi.ioctlParam);
        assertEquals(11, abi.calloutFields);
        assertEquals("sys/kernel/debug/lustre", abi.treeOf(ParamPaths.INIT_CHANNEL).base);
        assertEquals("sys/kernel/debug/lustre", abi.treeOf(ParamPaths.KEYRING_DEBUG_LEVEL).base);
        for (String p : new String[] {ParamPaths.RSI_DOWNCALL, ParamPaths.RSC_DOWNCALL, ParamPaths.RSI_UPCALL}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> abi.treeOf(p));
            assertTrue(e.getMessage().contains("cache channels"), e.getMessage());
        }
        assertEquals(java.util.List.of(ParamPaths.INIT_CHANNEL, ParamPaths.KEYRING_DEBUG_LEVEL), abi.params());
        assertFalse(abi.rscHasNodemap());
        assertEquals("none", abi.describe().get("rsi/rsc_info"));
        assertTrue(abi.describe().get("server requests").contains("/proc/net/rpc/auth.sptlrpc.init/channel"));
        assertEquals(KernelAbi.Server.UPCALL_SOCKET, KernelAbi.of(LustreVersion.of(2, 15, 59)).server());
    }

    @ParameterizedTest
    @CsvSource({"2.14.0", "2.12.9", "1.8.9"})
    void refusesOlderLinesClearly(String v) throws LskException {
        LskException e = assertThrows(LskException.class, () -> KernelAbi.of(LustreVersion.parse(v, "test")));
        assertTrue(e.getMessage().contains(v) && e.getMessage().contains("2.15.0"), e.getMessage());
        assertEquals(Errno.EOPNOTSUPP, e.errno());
    }

    @Test
    void refusesAnUnknownMajor() {
        assertThrows(LskException.class, () -> KernelAbi.of(LustreVersion.of(3, 0, 0)));
    }

    @Test
    void unknownParameterHasNoTree() {
        assertThrows(IllegalArgumentException.class, () -> KernelAbi.V2_16.treeOf("sptlrpc/gss/replays"));
        assertFalse(KernelAbi.V2_17_0.rscHasNodemap());
    }
}
