package lsk.cmd;

/** Child process of {@link LgssLogTest}: lgss_keyring's syslog with LOG_PERROR added. */
public final class LgssSyslogProbe {
    private LgssSyslogProbe() {
    }

    public static void main(String[] args) {
        Log log = Log.lgss("lgss_keyring", Log.WARN, Log.libc(), Log.LOG_PERROR);
        log.log(Log.ERR, "invalid parameter number 3");
        log.log(Log.INFO, "above the default level: not written");
        negotiate(log);
    }

    private static void negotiate(Log log) {
        log.log(Log.WARN, "key 0001e240: failed to negotiate");
    }
}
