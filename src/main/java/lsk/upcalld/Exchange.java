package lsk.upcalld;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import lsk.base.DecodeException;
import lsk.cmd.Log;

/**
 * One upcall's connection, start to end: REQ in, INST or REFUSE out, DONE in, and OK out only
 * once the service possesses the key; then the negotiation is handed on. Whatever goes wrong
 * after INST, the service drops its link to the key: the upcall, without OK, falls back to the
 * detached negotiator, which possesses the key through request-key's session keyring.
 */
final class Exchange implements Runnable {
    private final SocketChannel channel;
    private final UpcallHandler handler;
    private final Duration deadline;
    private final Log log;
    private final Consumer<Runnable> negotiate;
    private final Runnable done;

    /**
     * @param negotiate runs a negotiation on the service's pool
     * @param done called once when this connection is over
     */
    Exchange(SocketChannel channel, UpcallHandler handler, Duration deadline, Log log, Consumer<Runnable> negotiate,
             Runnable done) {
        this.channel = channel;
        this.handler = handler;
        this.deadline = deadline;
        this.log = log;
        this.negotiate = negotiate;
        this.done = done;
    }

    @Override
    public void run() {
        try (Conn conn = new Conn(channel, deadline)) {
            exchange(conn);
        } catch (IOException e) {
            log.log(Log.ERR, "upcall connection: " + e.getMessage());
        } finally {
            done.run();
        }
    }

    private void exchange(Conn conn) throws IOException {
        List<String> argv;
        try {
            argv = conn.read(Frames::request);
        } catch (Conn.Broken | DecodeException e) {
            // No answer: the upcall falls back to the one-shot path, which logs what it makes of it.
            log.log(Log.ERR, "bad upcall request: " + e.getMessage());
            return;
        }
        UpcallHandler.Decision d = handler.decide(argv);
        if (d instanceof UpcallHandler.Refuse r) {
            send(conn, Frames.refuse(r.refusal().rejectSeconds(), r.refusal().errno()));
            return;
        }
        UpcallHandler.Inst inst = (UpcallHandler.Inst) d;
        int key = inst.args().keyId();
        boolean handedOn = false;
        try {
            if (!send(conn, Frames.inst(inst.plan().perm(), inst.plan().destKeyring(), handler.link(),
                    inst.plan().payloadLength()))) {
                return;
            }
            int rc;
            try {
                rc = conn.read(Frames::done);
            } catch (Conn.Broken | DecodeException e) {
                log.log(Log.ERR, String.format("key %08x: no DONE from the upcall: %s", key, e.getMessage()));
                return;
            }
            if (!handler.instantiated(inst, rc) || !handler.possessed(key) || !send(conn, Frames.OK)) {
                return;
            }
            negotiate.accept(() -> handler.negotiate(inst.args()));
            handedOn = true;
        } finally {
            if (!handedOn) {
                handler.drop(key);
            }
        }
    }

    private boolean send(Conn conn, byte[] msg) throws IOException {
        try {
            conn.write(msg);
            return true;
        } catch (Conn.Broken e) {
            log.log(Log.ERR, "upcall connection: " + e.getMessage());
            return false;
        }
    }
}
