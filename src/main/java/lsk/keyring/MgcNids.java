package lsk.keyring;

import lsk.lnet.Nid;

/**
 * LNet NID to string for {@code lustre:MGC<nid>} key descriptions, as {@code libcfs_nid2str}
 * prints them: delegates to {@link Nid}, which knows every LND lsk supports.
 */
final class MgcNids {
    private MgcNids() {
    }

    static String toString(long nid) {
        return Nid.format(nid);
    }
}
