package lsk.unixsock;

import lsk.base.Errno;
import com.sun.jna.Library;
import com.sun.jna.Native;
import lsk.base.LskException;

/**
 * JNA binding of the daemon part of the native shim (jni/daemon.c): what lsvcgssd and lgss_keyringd need
 * of their process that Java does not offer. Functions return a value &gt;= 0 on success, -errno on failure.
 */
public interface DaemonNative extends Library {
    /** The C daemon's guard: SysV semaphore {@code key}; -EAGAIN while another process holds it. */
    long lsk_sem_guard(int key);

    /** Gives back a semaphore taken with {@link #lsk_sem_guard}. */
    long lsk_sem_release(int key);

    /** An AF_UNIX socket bound to the abstract {@code name}: its fd, or -EADDRINUSE. */
    long lsk_abstract_guard(String name);

    long lsk_close(int fd);

    /**
     * An exclusive flock(2) on {@code path} (created 0600, links not followed): the fd to keep,
     * or -EWOULDBLOCK while another holder has it.
     */
    long lsk_lock_file(String path);

    /**
     * What is at a socket path (not following links): 0 nothing, 1 a stale socket (now
     * removed), -EADDRINUSE a live listener, -ENOTSOCK not a socket.
     */
    long lsk_unix_probe(String path);

    long lsk_setsid();

    /** Points {@code fd} at /dev/null. */
    long lsk_devnull_fd(int fd);

    /** rename(2) that fails with -EEXIST instead of replacing {@code to}. */
    long lsk_rename_noreplace(String from, String to);

    long lsk_geteuid();

    /**
     * systemd socket activation: moves the passed listening AF_UNIX stream socket (fd 3) to fd 0
     * for {@link System#inheritedChannel()}; -errno when fd 3 is not one.
     */
    long lsk_take_listen_fd();

    /**
     * PR_SET_DUMPABLE 0: a crash writes no core file of this process's memory (keys) and no
     * process of the same uid may ptrace it or read its /proc/PID/mem. lsvcgssd, lgss_keyring
     * and lgss_sk call it first thing.
     */
    long lsk_no_core_dumps();

    /** PR_GET_DUMPABLE (tests). */
    long lsk_dumpable();

    static DaemonNative load() throws LskException {
        try {
            return Native.load("lskshim", DaemonNative.class);
        } catch (UnsatisfiedLinkError e) {
            throw new LskException("native shim liblskshim.so cannot be loaded (build with `mvn package`"
                    + " on Linux x86_64 with gcc): " + e.getMessage(), Errno.EOPNOTSUPP, e);
        }
    }
}
