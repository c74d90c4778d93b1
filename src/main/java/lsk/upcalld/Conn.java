package lsk.upcalld;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import lsk.base.DecodeException;

/**
 * One upcall's connection, read and written with a deadline per message: a Unix socket channel
 * has no SO_TIMEOUT, so it is non-blocking and waits on a selector of its own. A message is
 * read one byte buffer at a time up to {@link Frames#MAX_MESSAGE}; the peer sends nothing
 * between messages (it waits for the answer), so nothing read is ever left over.
 */
final class Conn implements AutoCloseable {
    /** A message parser over the bytes so far: empty while incomplete (see {@link Frames}). */
    interface Parser<T> {
        Optional<T> parse(byte[] buf, int len) throws DecodeException;
    }

    /** The peer was silent, closed, or sent more than a message may hold. */
    static final class Broken extends Exception {
        private static final long serialVersionUID = 1L;

        Broken(String why) {
            super(why);
        }
    }

    private final SocketChannel channel;
    private final Selector selector;
    private final Duration deadline;

    Conn(SocketChannel channel, Duration deadline) throws IOException {
        this.channel = channel;
        this.deadline = deadline;
        channel.configureBlocking(false);
        this.selector = Selector.open();
    }

    /** Reads one message within the deadline. */
    <T> T read(Parser<T> parser) throws IOException, Broken, DecodeException {
        byte[] buf = new byte[Frames.MAX_MESSAGE];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long end = System.nanoTime() + deadline.toNanos();
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        try {
            while (true) {
                int n = channel.read(bb);
                if (n < 0) {
                    throw new Broken(bb.position() == 0 ? "closed" : "closed after " + bb.position() + " bytes");
                }
                if (n > 0) {
                    Optional<T> v = parser.parse(buf, bb.position());
                    if (v.isPresent()) {
                        return v.get();
                    }
                    if (!bb.hasRemaining()) {
                        throw new Broken("no complete message in " + Frames.MAX_MESSAGE + " bytes");
                    }
                    continue;
                }
                wait(end, "read");
            }
        } finally {
            key.cancel();
            selector.selectNow(); // deregisters, so that the channel may be registered again
        }
    }

    /** Writes all of {@code msg} within the deadline. */
    void write(byte[] msg) throws IOException, Broken {
        ByteBuffer bb = ByteBuffer.wrap(msg);
        long end = System.nanoTime() + deadline.toNanos();
        SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
        try {
            while (bb.hasRemaining()) {
                if (channel.write(bb) == 0) {
                    wait(end, "write");
                }
            }
        } finally {
            key.cancel();
            selector.selectNow();
        }
    }

    private void wait(long end, String what) throws IOException, Broken {
        long left = end - System.nanoTime();
        if (left <= 0) {
            throw new Broken(what + " timed out after " + deadline.toMillis() + " ms");
        }
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing held
        }
        try {
            channel.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
