package lsk.demo;

/**
 * A run that writes its request-key entry as the demo does, says where, and waits to be killed
 * ({@link RequestKeyEntryTest}): {@code StaleEntryWriter STEM}.
 */
public final class StaleEntryWriter {
    private StaleEntryWriter() {
    }

    public static void main(String[] args) throws Exception {
        RequestKeyEntry e = RequestKeyEntryTest.install(RequestKeyEntry.Places.SYSTEM, args[0]);
        System.out.println("entry " + e.conf() + " " + e.dir());
        System.out.flush();
        Thread.sleep(120_000); // killed long before; removed by the test's clean-up if not
        e.remove();
    }
}
