package lsk.upcall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import lsk.cmd.Log;
import org.junit.jupiter.api.Test;

/**
 * A held line keeps the name of the function that logged it: released later from elsewhere, it
 * still reads as C's {@code __FUNCTION__} would ({@link Log#lgssLine}).
 */
class HeldLogTest {
    @Test
    void releasedLinesNameTheFunctionThatLoggedThem() {
        HeldLog held = new HeldLog();
        prepareKey(held);
        List<String> lines = new ArrayList<>();
        Log.Syslog recorder = new Log.Syslog() {
            @Override
            public void openlog(String ident, int option, int facility) {
            }

            @Override
            public void syslog(int priority, String line) {
                lines.add(line);
            }
        };
        held.releaseTo(Log.lgss("lgss_keyring", Log.TRACE, recorder, 0));
        long pid = ProcessHandle.current().pid();
        assertEquals(List.of("[" + pid + "]:INFO:prepareKey(): key 0001e240: held"), lines);
    }

    private static void prepareKey(Log log) {
        log.log(Log.INFO, "key 0001e240: held");
    }
}
