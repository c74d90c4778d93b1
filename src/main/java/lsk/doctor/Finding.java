package lsk.doctor;

import lsk.base.Printable;

/**
 * One check's result, one output line. Details come partly from files and the keyring, so they
 * are masked before printing: no control characters reach the terminal.
 *
 * @param fix how to fix a {@link Status#PROBLEM}; empty otherwise
 */
public record Finding(Status status, String check, String detail, String fix) {
    /** Longest detail printed (a parameter file or a conf line can be long). */
    static final int MAX_TEXT = 400;

    public enum Status {
        OK("ok"), PROBLEM("PROBLEM"), SKIP("skip");

        final String word;

        Status(String word) {
            this.word = word;
        }
    }

    static Finding ok(String check, String detail) {
        return new Finding(Status.OK, check, detail, "");
    }

    static Finding problem(String check, String detail, String fix) {
        return new Finding(Status.PROBLEM, check, detail, fix);
    }

    static Finding skip(String check, String why) {
        return new Finding(Status.SKIP, check, why, "");
    }

    public boolean isProblem() {
        return status == Status.PROBLEM;
    }

    /** {@code ok      check: detail}, {@code PROBLEM check: detail; fix: how}, {@code skip    check: why}. */
    public String line() {
        String text = check + ": " + detail + (status == Status.PROBLEM ? "; fix: " + fix : "");
        return String.format("%-7s %s", status.word, Printable.masked(text, MAX_TEXT));
    }
}
