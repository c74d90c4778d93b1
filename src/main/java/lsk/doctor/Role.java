package lsk.doctor;

/**
 * Whether the node serves (MGS/MDS/OSS: the daemon and rsi_upcall matter) as far as its SSK keys
 * tell: a server or MGS key loaded or in a key file makes it a server, only client keys a
 * client; without keys it is checked as a server (nothing tells otherwise).
 *
 * @param why what the keys showed, for a skipped server check
 */
record Role(boolean server, String why) {
    static final Role UNKNOWN = new Role(true, "no SSK keys say which role this node has");

    static Role clientOnly() {
        return new Role(false, "client node (its SSK keys are client keys only): no server daemon needed");
    }
}
