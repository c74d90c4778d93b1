package lsk.handshake;

import java.util.Optional;

/**
 * Finds the nodemap whose name hashes (SHA-256) to the value a client sent, when it differs
 * from the nodemap the kernel reported for the peer. The real one is a kernel ioctl; a
 * server with no such nodemap answers empty.
 */
@FunctionalInterface
public interface NodemapResolver {
    Optional<String> byNameHash(byte[] sha256);

    NodemapResolver NONE = h -> Optional.empty();
}
