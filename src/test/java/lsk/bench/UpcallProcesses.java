package lsk.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The processes of one rig's upcalls, found by the marker in their environment (request-key's
 * handler exports it; the upcall JVMs, the detached negotiations and a service the native
 * upcall starts inherit it), so that neither this JVM nor the other work on a shared machine is
 * counted or stopped. And the sampler of what a batch costs: MemAvailable every 10 ms, the
 * processes every 100 ms (a /proc walk costs CPU that the measured batch needs; an upcall JVM
 * lives for hundreds of milliseconds, so none is missed).
 */
final class UpcallProcesses {
    /** The service's command, as it shows in its command line. */
    static final String SERVICE_COMMAND = "lgss_keyringd";
    private static final Path PROC = Path.of("/proc");

    /** One process of the rig: pid, whether it is a JVM, whether it is the service. */
    record Proc(long pid, boolean jvm, boolean service) {
    }

    /** What a sampler saw. */
    record Sample(long memAvailableDropKiB, int peakJvms, long peakServiceRssKiB) {
    }

    private UpcallProcesses() {
    }

    /** The rig's processes now. */
    static List<Proc> find(String marker) {
        List<Proc> out = new ArrayList<>();
        byte[] want = (marker + "\0").getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path p : s) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                try {
                    if (indexOf(Files.readAllBytes(p.resolve("environ")), want) < 0) {
                        continue;
                    }
                    String comm = Files.readString(p.resolve("comm")).strip();
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    out.add(new Proc(pid, comm.equals("java"), cmd.contains("\0" + SERVICE_COMMAND + "\0")));
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("/proc: " + e, e);
        }
        return out;
    }

    /** The service of this rig, if one runs. */
    static Optional<Proc> service(String marker) {
        return find(marker).stream().filter(Proc::service).findFirst();
    }

    /** Waits until only the service (if {@code keepService}) is left; false on timeout. */
    static boolean awaitQuiet(String marker, boolean keepService, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (find(marker).stream().allMatch(p -> keepService && p.service())) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Stops every process of the rig (the service first asked to exit, SIGTERM), killing what stays. */
    static void stopAll(String marker, Duration grace) {
        for (Proc p : find(marker)) {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
        }
        try {
            if (awaitQuiet(marker, false, grace)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Proc p : find(marker)) {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    static long memAvailableKiB() {
        try {
            for (String l : Files.readAllLines(PROC.resolve("meminfo"))) {
                if (l.startsWith("MemAvailable:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // below
        }
        throw new IllegalStateException("no MemAvailable in /proc/meminfo");
    }

    static long rssKiB(long pid) {
        try {
            for (String l : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // exited
        }
        return 0;
    }

    /** Samples in the background from construction (the baseline) until {@link #stop}. */
    static final class Sampler {
        private final String marker;
        private final long baseline = memAvailableKiB();
        private final Thread thread;
        private volatile boolean running = true;
        private long lowest = baseline;
        private int peakJvms;
        private long peakRss;

        Sampler(String marker) {
            this.marker = marker;
            thread = new Thread(this::loop, "upcall-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            for (int tick = 0; running; tick++) {
                lowest = Math.min(lowest, memAvailableKiB());
                if (tick % 10 == 0) {
                    int jvms = 0;
                    for (Proc p : find(marker)) {
                        jvms += p.jvm() || p.service() ? 1 : 0; // the service counts, whatever its comm
                        if (p.service()) {
                            peakRss = Math.max(peakRss, rssKiB(p.pid()));
                        }
                    }
                    peakJvms = Math.max(peakJvms, jvms);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        Sample stop() throws InterruptedException {
            running = false;
            thread.join();
            return new Sample(baseline - lowest, peakJvms, peakRss);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (i > 0 && hay[i - 1] != 0) {
                continue; // a variable starts after a NUL
            }
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
