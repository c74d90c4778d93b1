package lsk.upcall;

import java.nio.file.Files;
import java.nio.file.Path;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.keyring.Keyring;
import lsk.sk.KeyPerm;

/**
 * The upcall's first duty, done before it returns to request-key: instantiating the key
 * (empty payload for {@code lgssc}; root credentials in no keyring, user credentials in the
 * user keyring), with the permissions the background negotiation needs to update it.
 */
public final class KeyInstantiation {
    /** Key types whose payload may be empty at instantiation; others (tests use "user") get one byte. */
    static final String KEY_TYPE = "lgssc";
    /**
     * Possessor: all but read; user: view and write, which the update needs for user
     * credentials (as in C).
     */
    static final int UPDATABLE = KeyPerm.POS_VIEW | KeyPerm.POS_WRITE | KeyPerm.POS_SEARCH | KeyPerm.POS_LINK
            | KeyPerm.POS_SETATTR | KeyPerm.USR_VIEW | KeyPerm.USR_WRITE;
    /** Read for possessor and user: lets the requester of a non-lgssc key see the context. */
    static final int READABLE = KeyPerm.POS_READ | KeyPerm.USR_READ;

    /**
     * What instantiating a key takes, as values (the native upcall carries them out for the
     * resident service): the permissions to set (0: leave them), the keyring to link it into (0:
     * none) and the length of its zero-filled placeholder payload.
     */
    public record Plan(int perm, int destKeyring, int payloadLength) {
    }

    private KeyInstantiation() {
    }

    /**
     * The plan for {@code a}, instantiated by a process of uid {@code instantiatorUid}: user
     * credentials go to that process's user keyring, so they must be its own.
     */
    public static Plan plan(UpcallArgs a, int instantiatorUid) throws LskException {
        CalloutInfo co = a.callout();
        int ring = 0;
        if (!co.rootCred()) {
            if (co.uid() != instantiatorUid) {
                throw new LskException("user credentials for uid " + co.uid()
                        + " need an identity switch, not supported", Errno.EOPNOTSUPP);
            }
            ring = Keyring.USER;
        }
        return new Plan(permissions(co, a.type()), ring, a.type().equals(KEY_TYPE) ? 0 : 1);
    }

    /**
     * The plan the resident service hands the native upcall. The kernel's lgssc type links a root
     * key into the upcall's session keyring as it is instantiated; other types (tests use "user")
     * are given that link here (a negative keyring is the upcall's own), so that the upcall still
     * possesses the key when it links it into the service's keyring.
     */
    public static Plan planForUpcall(UpcallArgs a, int instantiatorUid) throws LskException {
        Plan p = plan(a, instantiatorUid);
        if (p.destKeyring() == 0 && !a.type().equals(KEY_TYPE)) {
            // The lgssc key's permissions, so only possession lets the service update it; plus
            // possessor READ, which only lets the requester (a possessor) read the context back.
            return new Plan(KeyPerm.LGSSC | KeyPerm.POS_READ, Keyring.SESSION, p.payloadLength());
        }
        return p;
    }

    /** The permissions set on a key of {@code type}; 0 (left as they are) for root's lgssc keys. */
    static int permissions(CalloutInfo co, String type) {
        boolean lgssc = type.equals(KEY_TYPE);
        if (co.rootCred() && lgssc) {
            return 0;
        }
        // User credentials: write permission for the user, needed for the update (as in C).
        // Other key types than lgssc (tests use "user"): the kernel's lgssc type links root keys
        // into this upcall's session keyring, making the background part their possessor;
        // without that, the same user permission lets it update the key, and read lets the
        // requester see the context (for lgssc only the kernel reads it).
        return UPDATABLE | (lgssc ? 0 : READABLE);
    }

    /** Sets the permissions and instantiates the key, logged at trace level. */
    static void instantiate(UpcallArgs a, Keyring kc, Log log) throws LskException {
        Plan p = plan(a, currentUid());
        if (p.perm() != 0) {
            kc.setPerm(a.keyId(), p.perm());
        }
        kc.instantiate(a.keyId(), new byte[p.payloadLength()], p.destKeyring());
        log.log(Log.TRACE, "instantiated kernel key " + String.format("%08x", a.keyId()) + " in keyring "
                + p.destKeyring());
    }

    private static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (Exception e) {
            return -1;
        }
    }
}
