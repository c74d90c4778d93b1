package lsk.demo;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * The demo's output: numbered steps, each "ok" with its time and a detail line, or "FAILED"
 * with the reason; a summary at the end. Counts steps and failures for the exit status.
 */
final class Steps {
    /** One step's work: the detail to print when it held; an exception when it did not. */
    interface Body {
        String run() throws Exception;
    }

    private final PrintStream out;
    private final long start = System.nanoTime();
    private int step;
    private int failures;

    Steps(PrintStream out) {
        this.out = out;
    }

    /** Runs one step; true if it held. */
    boolean step(String title, Body body) {
        step++;
        out.printf("%3d. %-46s", step, title);
        out.flush();
        long t0 = System.nanoTime();
        try {
            String detail = body.run();
            out.printf("ok  %8s  %s%n", ms(System.nanoTime() - t0), detail == null ? "" : detail);
            return true;
        } catch (Exception | AssertionError e) {
            failures++;
            out.printf("FAILED (%s)%n      %s%n", ms(System.nanoTime() - t0), e.getMessage());
            return false;
        }
    }

    int failures() {
        return failures;
    }

    /** Prints the summary; true if every step held. */
    boolean finish() {
        out.println(failures == 0
                ? "demo: all " + step + " steps held (" + ms(System.nanoTime() - start) + " total)"
                : "demo: FAILED: " + failures + " of " + step + " steps did not hold");
        return failures == 0;
    }

    static String ms(long nanos) {
        return String.format("%d ms", TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
