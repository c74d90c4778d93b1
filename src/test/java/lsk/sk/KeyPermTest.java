package lsk.sk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The masks against the numbers of include/linux/key.h and security/keys/request_key.c. */
class KeyPermTest {
    @Test
    void lgsscKeysGetWhatConstructAllocKeyGivesATypeWithUpdateAndNoRead() {
        // KEY_POS_VIEW|KEY_POS_SEARCH|KEY_POS_LINK|KEY_POS_SETATTR|KEY_USR_VIEW, then KEY_POS_WRITE
        // for a type with ->update (lgssc), no KEY_POS_READ without ->read.
        assertEquals(0x3d010000, KeyPerm.LGSSC);
        assertEquals(0x3f3f0000, KeyPerm.POSSESSOR_OWNER);
        assertEquals(0x3f3f3f3f, KeyPerm.ALL);
    }
}
