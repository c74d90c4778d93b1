package lsk.gssd;


import lsk.unixsock.DaemonNative;

import java.nio.file.Path;

/** Child process of {@link SingleInstanceTest}: tries the lock-file guard, prints held or busy. */
public final class SingleInstanceLockProbe {
    private SingleInstanceLockProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(SingleInstance.lockFile(Path.of(args[0]), DaemonNative.load()).isPresent() ? "held" : "busy");
    }
}
