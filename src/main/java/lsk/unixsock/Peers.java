package lsk.unixsock;

import lsk.base.Errno;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import lsk.base.LskException;

/**
 * Who may send the daemon requests: processes running as root (the kernel runs l_getauth as
 * root), and the daemon's own user (root in production; a simulated kernel's test daemon may run
 * as another). The uid is the kernel's SO_PEERCRED for the connection, fixed at connect time.
 */
public final class Peers {
    private final Set<UserPrincipal> allowed;

    private Peers(Set<UserPrincipal> allowed) {
        this.allowed = allowed;
    }

    /** Root and {@code euid}. */
    public static Peers rootAnd(long euid) throws LskException {
        UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
        try {
            // By number: a principal compares by uid, and a numeric name that no account has is
            // taken as the uid itself.
            return new Peers(new HashSet<>(List.of(users.lookupPrincipalByName("0"),
                    users.lookupPrincipalByName(Long.toString(euid)))));
        } catch (IOException e) {
            throw new LskException("cannot look up uid 0: " + e.getMessage(), Errno.EINVAL, e);
        }
    }

    /** The peer's user when it may not send requests; empty when it may. */
    public Optional<String> refused(SocketChannel c) {
        UnixDomainPrincipal p;
        try {
            p = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of("unknown (" + e.getMessage() + ")");
        }
        return allowed.contains(p.user()) ? Optional.empty() : Optional.of(p.user().getName());
    }
}
