package io.pgwarden.it.pool;

import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A logged-in protocol session over {@link RawPgClient}, for what pgjdbc cannot do: any startup parameter
 * (pgjdbc sends a fixed set), a {@code client_encoding} other than UTF8 (pgjdbc refuses it), and named
 * statements whose names the test chooses, reused after Close. Values come back as text.
 */
final class RawSession implements AutoCloseable {

    private final RawPgClient client;
    private final Map<String, String> parameterStatus = new LinkedHashMap<>();

    private RawSession(RawPgClient client) {
        this.client = client;
    }

    /**
     * Logs in to {@code proxy} as {@link PoolBackend#USER} with these extra startup parameters (the proxy's
     * {@code trust} method asks for no password) and reads up to the first ReadyForQuery.
     */
    static RawSession open(ProxyFixture proxy, Map<String, String> extraStartupParameters) throws IOException {
        return open(proxy.port(), extraStartupParameters);
    }

    /** Like {@link #open(ProxyFixture, Map)} to any port on 127.0.0.1, e.g. the server itself, which trusts loopback. */
    static RawSession open(int port, Map<String, String> extraStartupParameters) throws IOException {
        RawPgClient client = RawPgClient.connect("127.0.0.1", port);
        try {
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("user", PoolBackend.USER);
            parameters.put("database", PoolBackend.DATABASE);
            parameters.putAll(extraStartupParameters);
            client.sendStartup(parameters);
            RawSession session = new RawSession(client);
            List<RawMessage> login = session.read();
            RawMessage error = error(login);
            if (error != null) {
                throw new IOException("login refused: " + error.sqlState() + " " + error.message());
            }
            return session;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Runs a simple Query and returns every message up to ReadyForQuery. */
    List<RawMessage> query(String sql) throws IOException {
        client.sendQuery(sql);
        return read();
    }

    /** Every ParameterStatus this session received so far, the latest value per name. */
    Map<String, String> parameterStatus() {
        return Map.copyOf(parameterStatus);
    }

    /** Runs a simple Query that must succeed and return a row; the first column of its first row. */
    String value(String sql) throws IOException {
        return row(sql).get(0);
    }

    /** Runs a simple Query that must succeed and return a row; its first row. */
    List<String> row(String sql) throws IOException {
        return firstRow(query(sql), sql);
    }

    /** Runs a simple Query that must succeed. */
    void run(String sql) throws IOException {
        requireNoError(query(sql), sql);
    }

    /** Sends Parse of {@code sql} as statement {@code name}, with no parameter types given. */
    void parse(String name, String sql) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        cString(body, name);
        cString(body, sql);
        int16(body, 0);
        client.sendMessage('P', body.toByteArray());
    }

    /** Sends Bind of statement {@code name} to the unnamed portal, parameters and results as text. */
    void bind(String name, String... parameters) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        cString(body, "");
        cString(body, name);
        int16(body, 0);
        int16(body, parameters.length);
        for (String parameter : parameters) {
            byte[] bytes = parameter.getBytes(StandardCharsets.UTF_8);
            int32(body, bytes.length);
            body.writeBytes(bytes);
        }
        int16(body, 0);
        client.sendMessage('B', body.toByteArray());
    }

    /** Sends Execute of the unnamed portal, all rows. */
    void execute() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        cString(body, "");
        int32(body, 0);
        client.sendMessage('E', body.toByteArray());
    }

    /** Sends Close of statement {@code name}. */
    void closeStatement(String name) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('S');
        cString(body, name);
        client.sendMessage('C', body.toByteArray());
    }

    /** Sends Flush: the server sends what it has, without ending the extended query. */
    void flush() throws IOException {
        client.sendMessage('H', new byte[0]);
    }

    /** Reads the next message. */
    RawMessage next() throws IOException {
        return client.readMessage();
    }

    /** Sends Sync and returns every message up to ReadyForQuery. */
    List<RawMessage> sync() throws IOException {
        client.sendMessage('S', new byte[0]);
        return read();
    }

    private List<RawMessage> read() throws IOException {
        List<RawMessage> messages = client.readUntilReadyForQuery();
        for (RawMessage message : messages) {
            if (message.type() == 'S') {
                String[] nameAndValue = new String(message.body(), StandardCharsets.UTF_8).split("\0", -1);
                parameterStatus.put(nameAndValue[0], nameAndValue[1]);
            }
        }
        return messages;
    }

    /** Bind, Execute and Sync of a prepared statement; the messages up to ReadyForQuery. */
    List<RawMessage> executePrepared(String name, String... parameters) throws IOException {
        bind(name, parameters);
        execute();
        return sync();
    }

    /** The ErrorResponse among {@code messages}, or null. */
    static RawMessage error(List<RawMessage> messages) {
        return messages.stream().filter(message -> message.type() == 'E').findFirst().orElse(null);
    }

    /** Fails with the ErrorResponse among {@code messages}, if any. */
    static void requireNoError(List<RawMessage> messages, String what) {
        RawMessage error = error(messages);
        if (error != null) {
            throw new AssertionError(what + " failed: " + error.sqlState() + " " + error.message());
        }
    }

    /** The first DataRow among {@code messages}; fails on an ErrorResponse or no row. */
    static List<String> firstRow(List<RawMessage> messages, String what) {
        requireNoError(messages, what);
        for (RawMessage message : messages) {
            if (message.type() == 'D') {
                return columns(message);
            }
        }
        throw new AssertionError(what + " returned no row: " + messages);
    }

    /** The column values of a DataRow as text, null for SQL NULL. */
    static List<String> columns(RawMessage dataRow) {
        ByteBuffer body = ByteBuffer.wrap(dataRow.body());
        int count = body.getShort();
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = body.getInt();
            if (length < 0) {
                values.add(null);
            } else {
                byte[] value = new byte[length];
                body.get(value);
                values.add(new String(value, StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    /** Sends Terminate and closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            client.sendTerminate();
        } catch (IOException e) {
            // The proxy may already have closed the connection; closing the socket is all that is left.
        } finally {
            client.close();
        }
    }

    private static void cString(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    private static void int16(ByteArrayOutputStream out, int value) {
        out.writeBytes(ByteBuffer.allocate(2).putShort((short) value).array());
    }

    private static void int32(ByteArrayOutputStream out, int value) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(value).array());
    }
}
