package io.pgwarden.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One client connection through a {@link FaultRelay}: a pump thread per direction. */
final class RelayConnection {

    private final FaultRelay relay;
    private final Socket client;
    private final Socket server;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final AtomicInteger pumpsRunning = new AtomicInteger(2);
    private long remainingBytes;

    RelayConnection(FaultRelay relay, Socket client, Socket server, long byteLimit) {
        this.relay = relay;
        this.client = client;
        this.server = server;
        this.remainingBytes = byteLimit;
    }

    void start() {
        startPump(client, server, "c2s");
        startPump(server, client, "s2c");
    }

    boolean isOpen() {
        return open.get();
    }

    synchronized void limit(long bytes) {
        remainingBytes = bytes;
    }

    /** Resets both sockets: SO_LINGER 0 makes close send RST, as a broken network or a crash would. */
    void cut() {
        if (open.compareAndSet(true, false)) {
            reset(client);
            reset(server);
            relay.forget(this);
        }
    }

    private void startPump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> pump(from, to), "fault-relay-" + direction + "-" + client.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                int read = in.read(buffer);
                if (read < 0) {
                    // Half-close: the other side sees end of stream exactly as it would without the relay.
                    to.shutdownOutput();
                    break;
                }
                if (!relay.awaitNotStalled(this)) {
                    break;
                }
                long delay = relay.delayMillis();
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                int allowed = take(read);
                out.write(buffer, 0, allowed);
                out.flush();
                if (allowed < read || exhausted()) {
                    cut();
                    break;
                }
            }
        } catch (IOException e) {
            cut();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cut();
        } finally {
            if (pumpsRunning.decrementAndGet() == 0 && open.compareAndSet(true, false)) {
                closeQuietly(client);
                closeQuietly(server);
                relay.forget(this);
            }
        }
    }

    private synchronized int take(int wanted) {
        if (remainingBytes < 0) {
            return wanted;
        }
        int allowed = (int) Math.min(wanted, remainingBytes);
        remainingBytes -= allowed;
        return allowed;
    }

    private synchronized boolean exhausted() {
        return remainingBytes == 0;
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // Already closed: nothing to reset.
        }
        closeQuietly(socket);
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket that is already broken has nothing left to report.
        }
    }
}
