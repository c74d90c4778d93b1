package lsk.gssd;

public final class SvcgssdTestAccess {
    private SvcgssdTestAccess() {
    }

    public static int rscFlags(int wire) {
        return Answers.rscFlags(wire);
    }
}
