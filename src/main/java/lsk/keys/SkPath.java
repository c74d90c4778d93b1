package lsk.keys;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import lsk.base.Errno;
import lsk.keyfile.KeyFiles;

/**
 * {@code mount.lustre -o skpath=PATH} without the mount: Lustre's {@code load_shared_keys}
 * (lustre/utils/mount_utils.c). PATH is a key file or a directory; in a directory every entry
 * but {@code .} and {@code ..} is stat()ed (links followed), every regular file loaded (dot
 * files too: a lock or editor file there fails the load, as it fails the mount), anything else
 * skipped. A failing entry is reported and the rest still loaded, so one run shows every error.
 *
 * <p>Two deliberate differences, both about the result only: C returns the result of the last
 * entry readdir() happens to give, so a broken file fails the mount or not depending on
 * directory order; here any failure fails (C's own comment says that is the intent), reporting
 * the last one's -errno. And entries are taken in name order, not readdir order, so runs repeat.
 */
final class SkPath {
    private SkPath() {
    }

    /** load_shared_keys: 0, or the -errno of the (last) failure, after C's messages. */
    static int load(String path, KeyFileLoad loader, PrintStream err, Function<String, Path> resolve) {
        Path p = resolve.apply(path);
        int mode;
        try {
            mode = KeyFiles.mode(p);
        } catch (IOException e) {
            err.print("stat() failed for key " + path + ": " + KeyFiles.strerror(e) + "\n");
            return -Errno.of(e);
        }
        if (isRegular(mode)) {
            return loader.load(path);
        }
        if (!isDirectory(mode)) {
            err.print("Invalid shared key path: " + path + "\n");
            return -Errno.ENOKEY;
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(p)) {
            for (Path e : dir) {
                names.add(e.getFileName().toString());
            }
        } catch (IOException e) {
            err.print("Unable to open shared key directory: " + path + "\n");
            return -Errno.ENOENT;
        }
        names.sort(null);
        int status = 0;
        for (String name : names) {
            String full = path + "/" + name; // C's "%s/%s", names in messages as C prints them
            int entryMode;
            try {
                entryMode = KeyFiles.mode(resolve.apply(full));
            } catch (IOException e) {
                err.print("Unable to stat " + full + ": " + KeyFiles.strerror(e) + "\n");
                status = -Errno.of(e);
                continue;
            }
            if (!isRegular(entryMode)) {
                continue;
            }
            int rc = loader.load(full);
            if (rc < 0) {
                err.print("Failed to load key " + full + "\n");
                status = rc;
            }
        }
        return status;
    }

    private static boolean isRegular(int mode) {
        return (mode & 0170000) == 0100000;
    }

    private static boolean isDirectory(int mode) {
        return (mode & 0170000) == 0040000;
    }
}
