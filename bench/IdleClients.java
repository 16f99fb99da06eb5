import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Opens many PostgreSQL client connections, completes each one's startup (trust authentication:
 * the server must answer AuthenticationOk without asking for a password) up to ReadyForQuery, and
 * then holds them all idle until the process is ended by SIGTERM or SIGINT. bench/pool.sh runs it
 * to measure what an idle client connection costs a proxy.
 *
 * <pre>java bench/IdleClients.java HOST PORT USER DATABASE COUNT [PARALLEL]</pre>
 *
 * <p>One thread and one selector; at most PARALLEL (default 100) connections are between connect
 * and ReadyForQuery at a time, so the server sees a steady stream of logins rather than a burst of
 * COUNT at once. When every connection has either reached ReadyForQuery or failed, one line goes
 * to standard output: {@code ready=N failed=M seconds=S}. Failures are described on standard
 * error (the first ten in full, then only counted), and so is every held connection the server
 * closes later. A handshake without progress for {@value #STALL_SECONDS} s counts as failed.
 */
final class IdleClients {

    private static final int PROTOCOL_3_0 = 196608;
    private static final int STALL_SECONDS = 120;
    private static final int MAX_MESSAGE = 1 << 20;
    private static final int DESCRIBED_FAILURES = 10;

    private final InetSocketAddress address;
    private final byte[] startup;
    private final int count;
    private final int parallel;
    private final Selector selector;
    private final ByteBuffer discard = ByteBuffer.allocateDirect(64 * 1024);
    private int started;
    private int handshaking;
    private int ready;
    private int failed;
    private int closedAfterReady;

    /** One connection: its receive buffer exists only until ReadyForQuery. */
    private static final class Connection {
        final SocketChannel channel;
        ByteBuffer input = ByteBuffer.allocate(4096);
        long lastProgressNanos = System.nanoTime();
        boolean ready;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private IdleClients(InetSocketAddress address, String user, String database, int count, int parallel)
            throws IOException {
        this.address = address;
        this.startup = startupMessage(user, database);
        this.count = count;
        this.parallel = parallel;
        this.selector = Selector.open();
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 5 || args.length > 6) {
            System.err.println("usage: java IdleClients.java HOST PORT USER DATABASE COUNT [PARALLEL]");
            System.exit(64);
        }
        int count = Integer.parseInt(args[4]);
        int parallel = args.length == 6 ? Integer.parseInt(args[5]) : 100;
        if (count < 1 || parallel < 1) {
            System.err.println("COUNT and PARALLEL must be positive");
            System.exit(64);
        }
        new IdleClients(new InetSocketAddress(args[0], Integer.parseInt(args[1])), args[2], args[3], count, parallel)
                .run();
    }

    private static byte[] startupMessage(String user, String database) {
        byte[] body = ("user\0" + user + "\0database\0" + database + "\0application_name\0idle_clients\0\0")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer message = ByteBuffer.allocate(8 + body.length);
        message.putInt(8 + body.length).putInt(PROTOCOL_3_0).put(body);
        return message.array();
    }

    private void run() throws IOException {
        long start = System.nanoTime();
        while (ready + failed < count) {
            while (handshaking < parallel && started < count) {
                open();
            }
            selector.select(1000);
            handleSelected();
            failStalled();
        }
        // One write of the whole line: the script polls the file and must never see half of it.
        String summary = String.format(Locale.ROOT, "ready=%d failed=%d seconds=%.1f%n",
                ready, failed, (System.nanoTime() - start) / 1e9);
        System.out.print(summary);
        System.out.flush();
        while (true) {
            selector.select();
            handleSelected();
        }
    }

    private void open() {
        started++;
        handshaking++;
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            Connection connection = new Connection(channel);
            if (channel.connect(address)) {
                sendStartup(connection);
                channel.register(selector, SelectionKey.OP_READ, connection);
            } else {
                channel.register(selector, SelectionKey.OP_CONNECT, connection);
            }
        } catch (IOException e) {
            closeQuietly(channel);
            fail("connect: " + e);
        }
    }

    private void handleSelected() {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            Connection connection = (Connection) key.attachment();
            try {
                if (key.isConnectable()) {
                    connection.channel.finishConnect();
                    sendStartup(connection);
                    key.interestOps(SelectionKey.OP_READ);
                } else if (key.isReadable()) {
                    read(key, connection);
                }
            } catch (IOException | RuntimeException e) {
                drop(key, connection, e.toString());
            }
        }
    }

    private void sendStartup(Connection connection) throws IOException {
        ByteBuffer message = ByteBuffer.wrap(startup);
        connection.channel.write(message);
        if (message.hasRemaining()) {
            throw new IOException("the startup message did not fit the empty socket buffer");
        }
    }

    private void read(SelectionKey key, Connection connection) throws IOException {
        if (connection.ready) {
            discard.clear();
            if (connection.channel.read(discard) < 0) {
                closedAfterReady++;
                System.err.printf("a held connection was closed by the server (%d so far)%n", closedAfterReady);
                key.cancel();
                closeQuietly(connection.channel);
            }
            return;
        }
        ByteBuffer input = connection.input;
        if (!input.hasRemaining()) {
            if (input.capacity() >= MAX_MESSAGE) {
                throw new IOException("a message during startup is longer than " + MAX_MESSAGE + " bytes");
            }
            input = ByteBuffer.allocate(input.capacity() * 2).put(input.flip());
            connection.input = input;
        }
        int n = connection.channel.read(input);
        if (n < 0) {
            throw new IOException("the server closed the connection during startup");
        }
        connection.lastProgressNanos = System.nanoTime();
        input.flip();
        while (input.remaining() >= 5) {
            int position = input.position();
            byte type = input.get(position);
            int length = input.getInt(position + 1);
            if (length < 4) {
                throw new IOException("message '" + (char) type + "' with length " + length);
            }
            if (input.remaining() < 1 + length) {
                break;
            }
            ByteBuffer body = input.slice(position + 5, length - 4);
            input.position(position + 1 + length);
            switch (type) {
                case 'R' -> {
                    int code = body.getInt(0);
                    if (code != 0) {
                        throw new IOException("the server asks for authentication request " + code
                                + "; this client only completes trust logins");
                    }
                }
                case 'E' -> throw new IOException("ErrorResponse: " + errorText(body));
                case 'Z' -> {
                    connection.ready = true;
                    connection.input = null;
                    ready++;
                    handshaking--;
                    return;
                }
                default -> {
                    // ParameterStatus, BackendKeyData, NoticeResponse: nothing to do.
                }
            }
        }
        input.compact();
    }

    private static String errorText(ByteBuffer body) {
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < body.limit() && body.get(i) != 0) {
            byte field = body.get(i++);
            int end = i;
            while (end < body.limit() && body.get(end) != 0) {
                end++;
            }
            byte[] value = new byte[end - i];
            body.get(i, value);
            if (field == 'C' || field == 'M') {
                text.append(text.length() == 0 ? "" : " ").append(new String(value, StandardCharsets.UTF_8));
            }
            i = end + 1;
        }
        return text.toString();
    }

    private void failStalled() {
        long limit = System.nanoTime() - STALL_SECONDS * 1_000_000_000L;
        List<SelectionKey> stalled = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            Connection connection = (Connection) key.attachment();
            if (!connection.ready && connection.lastProgressNanos < limit) {
                stalled.add(key);
            }
        }
        for (SelectionKey key : stalled) {
            drop(key, (Connection) key.attachment(), "no answer within " + STALL_SECONDS + " s");
        }
    }

    private void drop(SelectionKey key, Connection connection, String reason) {
        key.cancel();
        closeQuietly(connection.channel);
        if (connection.ready) {
            closedAfterReady++;
            System.err.printf("a held connection failed: %s (%d so far)%n", reason, closedAfterReady);
        } else {
            fail(reason);
        }
    }

    private void fail(String reason) {
        handshaking--;
        failed++;
        if (failed <= DESCRIBED_FAILURES) {
            System.err.println("connection failed: " + reason);
        } else if (failed == DESCRIBED_FAILURES + 1) {
            System.err.println("further failures are only counted");
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                System.err.println("close: " + e);
            }
        }
    }
}
