package lsk.cmd;

import java.util.List;

/** One lsk subcommand. Returns the process exit status; never calls System.exit. */
public interface Command {
    int run(List<String> args, Io io);
}
