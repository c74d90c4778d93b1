package lsk.upcall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which client key a target selects. The target is the client OBD device name the kernel puts
 * in callout field 8: the fsname is what comes before its first '-', and a name without '-'
 * must be an MGC's (as the C tool's sk_create_cred reads it).
 */
class ClientKeyDescriptionsTest {
    static List<String> of(String target, String clientUuid) throws Exception {
        String co = "1:sk:0:0:r:i:1:0x1:" + target + ":0x2:1" + (clientUuid == null ? "" : ":" + clientUuid);
        return ClientKeys.descriptions(CalloutInfo.parse(co));
    }

    @Test
    void clientDeviceNamesGiveTheirFsname() throws Exception {
        assertEquals(List.of("lustre:tank"), of("tank-MDT0000-mdc-ffff8881a2b4c000", null));
        assertEquals(List.of("lustre:tank"), of("tank-OST0001-osc-ffff8881a2b4c000", null));
        assertEquals(List.of("lustre:lfs01"), of("lfs01-OST002a-osc-ffff9b2e7a1c8800", null));
        assertEquals(List.of("lustre:tank"), of("tank-MDT0000_UUID", null));
    }

    @Test
    void mgcNamesSelectTheMgcKey() throws Exception {
        assertEquals(List.of("lustre:MGC192.168.1.10@tcp"), of("MGC192.168.1.10@tcp", null));
        assertEquals(List.of("lustre:MGC10.0.0.1@o2ib3"), of("MGC10.0.0.1@o2ib3", "cl-1"));
    }

    @Test
    void clientUuidIsTriedFirstUnlessEmpty() throws Exception {
        assertEquals(List.of("lustre:tank:cl-1", "lustre:tank"), of("tank-MDT0000-mdc-ffff8881a2b4c000", "cl-1"));
        assertEquals(List.of("lustre:tank"), of("tank-MDT0000-mdc-ffff8881a2b4c000", ""));
    }

    @Test
    void namesWithoutAnFsnameSelectNothing() throws Exception {
        assertEquals(List.of(), of("-MDT0000-mdc-ffff8881a2b4c000", null));
        assertEquals(List.of(), of("MGC", null));
        assertEquals(List.of(), of("tank", null));
        assertEquals(List.of(), of("mgc192.168.1.10@tcp", null));
    }
}
