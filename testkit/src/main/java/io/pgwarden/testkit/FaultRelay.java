package io.pgwarden.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on a free loopback port to a target, with faults switched on and off while tests run: delay
 * each chunk, stall (stop forwarding but keep the sockets open), resume, cut every connection now, cut each
 * connection after a number of bytes.
 *
 * <p>Plain threads and blocking sockets, deliberately independent of the Netty code under test. Each
 * connection uses two threads, one per direction. {@link #close()} closes everything.
 */
public final class FaultRelay implements AutoCloseable {

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<RelayConnection> connections = new CopyOnWriteArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private final Object stallLock = new Object();
    private volatile long delayMillis;
    private volatile boolean stalled;
    private volatile long cutAfterBytes = -1;
    private volatile boolean closed;

    private FaultRelay(InetSocketAddress target, ServerSocket listener) {
        this.target = target;
        this.listener = listener;
        this.acceptor = new Thread(this::acceptLoop, "fault-relay-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Starts relaying from {@code 127.0.0.1:}{@link #port()} to {@code targetHost:targetPort}. */
    public static FaultRelay start(String targetHost, int targetPort) {
        try {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            FaultRelay relay = new FaultRelay(new InetSocketAddress(targetHost, targetPort), listener);
            relay.acceptor.start();
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the relay's port", e);
        }
    }

    /** {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Holds each chunk this long before forwarding it; {@link Duration#ZERO} for none. */
    public void delay(Duration perChunk) {
        delayMillis = Objects.requireNonNull(perChunk, "perChunk").toMillis();
    }

    /** Stops forwarding in both directions; sockets stay open and data waits. */
    public void stall() {
        stalled = true;
    }

    /** Forwards again after {@link #stall()}. */
    public void resume() {
        synchronized (stallLock) {
            stalled = false;
            stallLock.notifyAll();
        }
    }

    /** Resets every open connection at once (both sides see a reset); new connections are still accepted. */
    public void cutAll() {
        for (RelayConnection connection : connections) {
            connection.cut();
        }
    }

    /**
     * Cuts each connection, open or new, once it has forwarded {@code bytes} more bytes (both directions
     * together), forwarding exactly that many.
     */
    public void cutAfterBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0: " + bytes);
        }
        cutAfterBytes = bytes;
        for (RelayConnection connection : connections) {
            connection.limit(bytes);
        }
    }

    /** Clears delay, stall and byte limits. */
    public void clearFaults() {
        delayMillis = 0;
        cutAfterBytes = -1;
        for (RelayConnection connection : connections) {
            connection.limit(-1);
        }
        resume();
    }

    /** Connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** Connections accepted since start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Stops accepting and resets every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing a listener only fails if it is already closed.
        }
        cutAll();
        resume();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long delayMillis() {
        return delayMillis;
    }

    /** Blocks while stalled; returns false when the relay or the connection closed meanwhile. */
    boolean awaitNotStalled(RelayConnection connection) throws InterruptedException {
        synchronized (stallLock) {
            while (stalled && !closed && connection.isOpen()) {
                stallLock.wait(50);
            }
        }
        return !closed && connection.isOpen();
    }

    void forget(RelayConnection connection) {
        connections.remove(connection);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(target, 10_000);
            } catch (IOException e) {
                RelayConnection.closeQuietly(client);
                RelayConnection.closeQuietly(server);
                continue;
            }
            RelayConnection connection = new RelayConnection(this, client, server, cutAfterBytes);
            connections.add(connection);
            if (closed) {
                connection.cut();
            } else {
                connection.start();
            }
        }
    }
}
