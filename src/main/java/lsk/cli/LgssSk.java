package lsk.cli;

/** The {@code lgss_sk} drop-in. (Placeholder: the key-file issue fills this in.) */
final class LgssSk {
    static Command command() {
        return (args, io) -> {
            io.err().println("lgss_sk: not implemented yet");
            return 1;
        };
    }

    private LgssSk() {
    }
}
