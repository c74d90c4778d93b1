package lsk;

import lsk.cmd.Command;
import lsk.cmd.Io;
import lsk.lgsssk.LgssSk;
import lsk.tools.HandshakeTools;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry point of {@code scripts/lsk}: {@code lsk <command> [args]}. {@code scripts/lgss_sk}
 * and the other drop-ins call it with their own name as the command.
 */
public final class Main {

    /** Subcommands by name. Each later feature adds one line here. */
    static Map<String, Command> commands() {
        Map<String, Command> m = new TreeMap<>();
        m.put("lgss_sk", LgssSk.command());
        m.put("transcript", HandshakeTools.transcript());
        m.put("respond", HandshakeTools.respond());
        m.put("initiate", HandshakeTools.initiate());
        m.put("lgss_keyring", new lsk.upcall.LgssKeyring());
        m.put("lsvcgssd", new lsk.gssd.SvcgssdCommand());
        m.put("lgss_keyringd", new lsk.upcalld.UpcalldCommand());
        m.put("svcgssd", new lsk.gssd.SvcgssdCommand());
        m.put("simkernel", new lsk.kernel.sim.SimKernelCommand());
        m.put("abi", new lsk.kernel.AbiCommand());
        m.put("demo", new lsk.demo.Demo());
        m.put("keys", new lsk.keys.KeysCommand());
        m.put("doctor", new lsk.doctor.Doctor());
        m.put("status", new lsk.status.StatusCommand());
        return m;
    }

    public static void main(String[] argv) {
        int rc = run(Arrays.asList(argv), Io.system(Main.class));
        System.out.flush();
        System.err.flush();
        System.exit(rc);
    }

    public static int run(List<String> argv, Io io) {
        Map<String, Command> cmds = commands();
        if (argv.isEmpty() || argv.get(0).equals("-h") || argv.get(0).equals("--help")) {
            io.err().println("usage: lsk <command> [options]");
            io.err().println("commands: " + String.join(", ", cmds.keySet()));
            return argv.isEmpty() ? 1 : 0;
        }
        Command c = cmds.get(argv.get(0));
        if (c == null) {
            io.err().println("lsk: unknown command '" + argv.get(0) + "' (commands: "
                    + String.join(", ", cmds.keySet()) + ")");
            return 1;
        }
        return c.run(argv.subList(1, argv.size()), io);
    }

    private Main() {
    }
}
