package lsk.gssd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import lsk.handshake.Rejected;
import lsk.status.Snapshot;

/**
 * lsvcgssd's counters since start, fed by the request handler (every backend's requests pass
 * it) and by the framing's drop points. Lock-free on the hot path (LongAdders: a worker adds to
 * its own cell); {@link #snapshot} reads them into an immutable {@link Snapshot}, which may
 * interleave with counting (each counter is exact, their sum at one instant is not). Nothing
 * about a request is kept but which fixed counter it went to.
 */
public final class DaemonStats {
    /**
     * GSS-API routine errors by their number (major status bits 16-23), as RFC 2744 section 3.9.1
     * and every gssapi.h name them; index 0 (none of them) is "other".
     */
    static final List<String> GSS_ROUTINE_ERRORS = List.of("other", "GSS_S_BAD_MECH", "GSS_S_BAD_NAME",
            "GSS_S_BAD_NAMETYPE", "GSS_S_BAD_BINDINGS", "GSS_S_BAD_STATUS", "GSS_S_BAD_SIG", "GSS_S_NO_CRED",
            "GSS_S_NO_CONTEXT", "GSS_S_DEFECTIVE_TOKEN", "GSS_S_DEFECTIVE_CREDENTIAL", "GSS_S_CREDENTIALS_EXPIRED",
            "GSS_S_CONTEXT_EXPIRED", "GSS_S_FAILURE", "GSS_S_BAD_QOP", "GSS_S_UNAUTHORIZED", "GSS_S_UNAVAILABLE",
            "GSS_S_DUPLICATE_ELEMENT", "GSS_S_NAME_NOT_MN");

    /** Why a request failed: the handshake's reasons and the daemon's own. */
    public enum Reason {
        /** The request line is not one (fields, numbers, hex). */
        MALFORMED_REQUEST,
        /** Kerberos, gssnull, or SK while not enabled. */
        UNSUPPORTED_MECH,
        /** An rsc or rsi downcall write failed. */
        DOWNCALL_FAILED,
        /** A handshake failure without a reason (none is expected). */
        OTHER;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final int OWN = Reason.values().length;

    private final String version;
    private final long pid;
    private final long start;
    private final LongAdder requests = new LongAdder();
    private final LongAdder ski = new LongAdder();
    private final LongAdder skpi = new LongAdder();
    private final LongAdder[] byStatus = adders(GSS_ROUTINE_ERRORS.size());
    /** The daemon's reasons, then the handshake's. */
    private final LongAdder[] byReason = adders(OWN + Rejected.Reason.values().length);
    /** By {@link Drop} ordinal (an array, not a switch: no class to load on the shedding path). */
    private final LongAdder[] drops = adders(Drop.values().length);
    private final LongAdder refused = new LongAdder();
    private final LongAdder[] buckets = adders(Snapshot.Latency.BOUNDS_US.size() + 1);
    private final long[] boundsNanos = Snapshot.Latency.BOUNDS_US.stream().mapToLong(us -> us * 1000).toArray();
    private final LongAdder latencySum = new LongAdder();
    private final LongAccumulator latencyMax = new LongAccumulator(Math::max, 0);

    /** Connections given up before a complete line, by why. */
    public enum Drop {
        /** Shed under pressure: connection cap, buffer budget, out of fds. */
        SHED,
        /** No complete line within the read timeout. */
        TIMEOUT,
        /** Not a request line: too long, no newline, bytes after it. */
        MALFORMED
    }

    public DaemonStats(String version, long pid, long startSeconds) {
        // Every class counting touches, loaded now: shedding happens when fds run out, and then
        // a first load from a class directory fails (NoClassDefFoundError ended the reader).
        Reason.values();
        Rejected.Reason.values();
        this.version = version;
        this.pid = pid;
        this.start = startSeconds;
    }

    /** This process's, with lsk's version from the jar (else "dev"). */
    public static DaemonStats forThisProcess() {
        String v = DaemonStats.class.getPackage().getImplementationVersion();
        return new DaemonStats(v == null || !v.matches("[A-Za-z0-9._+-]{1,64}") ? "dev" : v,
                ProcessHandle.current().pid(), System.currentTimeMillis() / 1000);
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    void received() {
        requests.increment();
    }

    void established(boolean privacy) {
        (privacy ? skpi : ski).increment();
    }

    /** A failed request: its reason, and the major status of its error answer (0: none sent). */
    void failed(Reason reason, int major) {
        byReason[reason.ordinal()].increment();
        status(major);
    }

    void failed(Rejected.Reason reason, int major) {
        byReason[OWN + reason.ordinal()].increment();
        status(major);
    }

    private void status(int major) {
        if (major != 0) {
            int routine = (major >>> 16) & 0xff;
            byStatus[routine < GSS_ROUTINE_ERRORS.size() ? routine : 0].increment();
        }
    }

    /** A request's time from its complete line to its downcall. */
    void latency(long nanos) {
        long n = Math.max(0, nanos);
        int i = 0;
        while (i < boundsNanos.length && n > boundsNanos[i]) {
            i++;
        }
        buckets[i].increment();
        latencySum.add(n);
        latencyMax.accumulate(n);
    }

    /** A connection given up before a complete line (the framing's drop points). */
    public void dropped(Drop why) {
        drops[why.ordinal()].increment();
    }

    /** A connection refused: the peer was not root. */
    public void refused() {
        refused.increment();
    }

    long established() {
        return ski.sum() + skpi.sum();
    }

    long failures() {
        long n = 0;
        for (LongAdder a : byReason) {
            n += a.sum();
        }
        return n;
    }

    /** The counters now, with the responder's prime checks. */
    public Snapshot snapshot(long primeChecks, long primeChecksFailed) {
        Map<String, Long> status = new LinkedHashMap<>();
        for (int i = 1; i < GSS_ROUTINE_ERRORS.size(); i++) {
            status.put(GSS_ROUTINE_ERRORS.get(i), byStatus[i].sum());
        }
        status.put(GSS_ROUTINE_ERRORS.get(0), byStatus[0].sum());
        Map<String, Long> reason = new LinkedHashMap<>();
        for (Reason r : Reason.values()) {
            reason.put(r.label(), byReason[r.ordinal()].sum());
        }
        for (Rejected.Reason r : Rejected.Reason.values()) {
            reason.put(r.label(), byReason[OWN + r.ordinal()].sum());
        }
        List<Long> counts = new ArrayList<>();
        for (LongAdder b : buckets) {
            counts.add(b.sum());
        }
        return new Snapshot(version, pid, start, System.currentTimeMillis() / 1000, false, requests.sum(), ski.sum(),
                skpi.sum(), status, reason, drops[Drop.SHED.ordinal()].sum(), drops[Drop.TIMEOUT.ordinal()].sum(),
                drops[Drop.MALFORMED.ordinal()].sum(), refused.sum(), primeChecks,
                primeChecksFailed, new Snapshot.Latency(counts, latencySum.sum(), latencyMax.get()));
    }
}
