package lsk.keyring;

import lsk.sk.KeyNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;

/** The MGC key names use libcfs_nid2str notation: checked against the real function's output. */
class KeyringMgcNidsTest {
    @Test
    void matchesRealNid2str() {
        int checked = 0;
        for (JsonElement e : Vectors.json("nid_strings.json").getAsJsonObject().getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            if (c.get("is_LNET_NID_ANY").getAsBoolean()) {
                continue;
            }
            long nid = Long.parseUnsignedLong(c.get("libcfs_str2nid_u64").getAsString().substring(2), 16);
            assertEquals("lustre:MGC" + c.get("libcfs_nid2str_of_result").getAsString(),
                    KeyNames.mgc(nid));
            checked++;
        }
        assertTrue(checked >= 5, "vector cases checked: " + checked);
        assertEquals("lustre:MGC10.0.0.1@o2ib3", KeyNames.mgc(0x000500030a000001L));
    }
}
