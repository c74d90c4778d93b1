package lsk.cmd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * lgss_keyring's log lines as the C tool writes them. Expected text from lustre-release
 * lustre/utils/gss/lgss_utils.c (commit 02b456e4): {@code __logmsg} formats
 * {@code "[%d]:%s:%s(): "} with getpid(), {@code log_prefix[level]} (ERROR, WARNING, INFO,
 * DEBUG, TRACE for LL_ERR..LL_TRACE) and {@code __FUNCTION__}, and writes it with
 * {@code syslog(LOG_INFO, "%s", buf)}; lgss_keyring.c {@code main} never calls openlog, so the
 * facility is LOG_USER (glibc syslog.h: 1 << 3; LOG_INFO is 6) and there is no LOG_PID.
 */
class LgssLogTest {
    private record Call(String what, int a, int b, String text) {
    }

    private static final class Recorder implements Log.Syslog {
        final List<Call> calls = new ArrayList<>();

        @Override
        public void openlog(String ident, int option, int facility) {
            calls.add(new Call("openlog", option, facility, ident));
        }

        @Override
        public void syslog(int priority, String line) {
            calls.add(new Call("syslog", priority, 0, line));
        }
    }

    private static final long PID = ProcessHandle.current().pid();

    @Test
    void lineIsTheCPrefix() {
        assertEquals("[4242]:ERROR:main(): invalid parameter number 3",
                Log.lgssLine(4242, Log.ERR, "main", "invalid parameter number 3"));
        assertEquals(List.of("ERROR", "WARNING", "INFO", "DEBUG", "TRACE"), Log.LEVEL_NAMES);
        assertEquals("[1]:TRACE:parse_callout_info(): x", Log.lgssLine(1, Log.TRACE, "parse_callout_info", "x"));
    }

    @Test
    void userFacilityInfoPriorityNoPidOptionCallerNamed() {
        Recorder r = new Recorder();
        Log log = Log.lgss("lgss_keyring", Log.WARN, r, 0);
        refuseKey(log);
        log.log(Log.INFO, "above the threshold: not written");
        log.log(Log.ERR, "do_nego_rpc", "given name");
        assertEquals(List.of(new Call("openlog", 0, 1 << 3, "lgss_keyring"),
                new Call("syslog", 6, 0, "[" + PID + "]:WARNING:refuseKey(): key 0001e240: refused"),
                new Call("syslog", 6, 0, "[" + PID + "]:ERROR:do_nego_rpc(): given name")), r.calls);
    }

    private static void refuseKey(Log log) {
        log.log(Log.WARN, "key 0001e240: refused");
    }

    @Test
    void wrappersAndLambdasNameTheRealCaller() {
        Recorder r = new Recorder();
        Log limited = Log.rateLimited(Log.lgss("lgss_keyring", Log.TRACE, r, 0), Log.TRACE);
        Runnable inLambda = () -> limited.log(Log.DEBUG, "from a lambda");
        inLambda.run();
        limited.log(Log.INFO, "direct");
        assertEquals("[" + PID + "]:DEBUG:wrappersAndLambdasNameTheRealCaller(): from a lambda", r.calls.get(1).text());
        assertEquals("[" + PID + "]:INFO:wrappersAndLambdasNameTheRealCaller(): direct", r.calls.get(2).text());
    }

    /**
     * Through libc: a child JVM opens the log with LOG_PERROR, so libc prints each line with the
     * ident it holds and no pid after it (the option is not set) to stderr, as it sends it.
     */
    @Test
    void libcWritesTheCLine() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LgssSyslogProbe.class.getName()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals(List.of("lgss_keyring: [" + p.pid() + "]:ERROR:main(): invalid parameter number 3",
                "lgss_keyring: [" + p.pid() + "]:WARNING:negotiate(): key 0001e240: failed to negotiate"),
                err.lines().toList());
    }

    /**
     * lsvcgssd as lustre/utils/gss/err_util.c (commit 37e738fb): openlog(progname, LOG_PID,
     * LOG_DAEMON) (glibc syslog.h: 0x01, 3 << 3), every line at LOG_ERR (3) as it is; in the
     * foreground the bare message on stderr.
     */
    @Test
    void lsvcgssdAsErrUtil() {
        Recorder r = new Recorder();
        Log log = Log.printerr("lsvcgssd", Log.WARN, r);
        log.log(Log.WARN, "Received SIGHUP... Ignoring.");
        log.log(Log.INFO, "not at verbosity 1");
        assertEquals(List.of(new Call("openlog", 0x01, 3 << 3, "lsvcgssd"),
                new Call("syslog", 3, 0, "Received SIGHUP... Ignoring.")), r.calls);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        Log.printerr("lsvcgssd", Log.WARN, new java.io.PrintStream(b, true, StandardCharsets.UTF_8))
                .log(Log.ERR, "exiting on signal 15");
        assertEquals("exiting on signal 15\n", b.toString(StandardCharsets.UTF_8));
    }
}
