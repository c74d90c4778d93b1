package lsk.sk;

/**
 * Key permission masks ({@code include/linux/key.h}) and the masks lsk gives SSK keys: one place,
 * so the upcall, {@code lgss_sk} and the demo cannot drift apart.
 */
public final class KeyPerm {
    public static final int POS_VIEW = 0x01000000;
    public static final int POS_READ = 0x02000000;
    public static final int POS_WRITE = 0x04000000;
    public static final int POS_SEARCH = 0x08000000;
    public static final int POS_LINK = 0x10000000;
    public static final int POS_SETATTR = 0x20000000;
    public static final int POS_ALL = 0x3f000000;
    public static final int USR_VIEW = 0x00010000;
    public static final int USR_READ = 0x00020000;
    public static final int USR_WRITE = 0x00040000;
    public static final int USR_ALL = 0x003f0000;

    /** Possessor, user, group and other: everything. */
    public static final int ALL = 0x3f3f3f3f;
    /**
     * Possessor and owner (the key's uid): everything; group and other: nothing. What
     * {@code lgss_sk -l} sets on an SSK key.
     */
    public static final int POSSESSOR_OWNER = POS_ALL | USR_ALL;
    /** Possessor everything; owner view, read and write: the demo's stand-in for a kernel-made key. */
    public static final int POSSESSOR_ALL_OWNER_RW = POS_ALL | USR_VIEW | USR_READ | USR_WRITE;

    /**
     * What the kernel gives a key request_key(2) creates for a type with an update method and no
     * read method, as {@code lgssc} (Linux security/keys/request_key.c, construct_alloc_key;
     * Lustre's gss_keyring.c passes no permissions of its own): possessor view, write, search,
     * link, setattr; owner view. WRITE for the possessor only, and root gets no bypass.
     */
    public static final int LGSSC = POS_VIEW | POS_WRITE | POS_SEARCH | POS_LINK | POS_SETATTR | USR_VIEW;

    private KeyPerm() {
    }
}
