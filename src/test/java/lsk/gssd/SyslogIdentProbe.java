package lsk.gssd;

import com.sun.jna.Memory;
import lsk.cmd.Log;

/**
 * Child process of {@link SyslogIdentTest}: opens the log as the daemon does (plus LOG_PERROR,
 * so libc prints each line with the ident it holds to stderr), then collects garbage and
 * allocates native strings of the ident's length, which reuse memory JNA freed, before each line.
 */
public final class SyslogIdentProbe {
    private SyslogIdentProbe() {
    }

    public static void main(String[] args) throws Exception {
        String ident = args[0];
        Log log = Log.syslog(ident, Log.INFO, Log.LOG_PERROR);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[1 << 16];
                junk[0] = 1;
            }
            System.gc();
            Thread.sleep(50);
            for (int i = 0; i < 50; i++) {
                new Memory(ident.length() + 1).setString(0, "#".repeat(ident.length()));
            }
            log.log(Log.ERR, "line " + round);
        }
    }
}
