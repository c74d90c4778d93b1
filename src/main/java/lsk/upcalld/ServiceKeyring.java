package lsk.upcalld;

import lsk.base.Errno;
import lsk.base.LskException;
import lsk.keyring.KeyDescription;
import lsk.keyring.Keyring;
import lsk.sk.KeyPerm;

/**
 * The service's own session keyring, the {@code <link>} of every INST: the upcall links the key
 * it instantiated there, which makes the service its possessor (an {@code lgssc} key grants
 * write to possessors only; root gets no bypass). A fresh anonymous keyring, joined by the
 * thread that then starts every other thread of the service (credentials are per thread and
 * inherited at creation). Its owner (root, as the upcall) may link into it, and nobody may read
 * or search it but the service: possessor all, owner view and write, group and others nothing.
 */
final class ServiceKeyring {
    static final int PERM = KeyPerm.POS_ALL | KeyPerm.USR_VIEW | KeyPerm.USR_WRITE;

    private ServiceKeyring() {
    }

    /** Joins a fresh session keyring on the calling thread and checks it; its serial. */
    static int join(Keyring kc, long euid) throws LskException {
        int starter = starterSession(kc);
        int ring = kc.joinNewSessionKeyring();
        kc.setPerm(ring, PERM);
        if (starter != 0) {
            // Client keys loaded into the starter's session keyring stay found where that keyring
            // grants link (searches recurse into it); otherwise, and under systemd, the client
            // keys must be in root's user keyring, which is searched too.
            try {
                kc.link(starter, ring);
            } catch (LskException e) {
                // not ours to link: the user keyring it is
            }
        }
        KeyDescription d = kc.describe(ring);
        if (!d.type().equals("keyring") || d.perm() != PERM || d.uid() != euid) {
            throw new LskException("the service keyring " + ring + " is " + d.type() + " of uid " + d.uid()
                    + " with permissions " + String.format("%08x", d.perm()) + ", not a keyring of uid " + euid
                    + " with " + String.format("%08x", PERM), Errno.EPERM);
        }
        if (kc.resolve(Keyring.SESSION, false) != ring) {
            throw new LskException("joined keyring " + ring + " is not this thread's session keyring", Errno.EPERM);
        }
        return ring;
    }

    private static int starterSession(Keyring kc) {
        try {
            return kc.resolve(Keyring.SESSION, false);
        } catch (LskException e) {
            return 0; // none: nothing to search but the user keyring
        }
    }
}
