package lsk.cmd;

import java.util.List;

/** One lsk subcommand. Returns the process exit status; never calls System.exit. */
public interface Command {
    int run(List<String> args, Io io);

    /**
     * The options this command's parser accepts, spelled as on a command line ({@code -a},
     * {@code --ascii}): what its man page must document (lsk.ManPagesTest checks it).
     */
    default List<String> options() {
        return List.of();
    }
}
