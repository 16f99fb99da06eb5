package io.pgwarden.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A {@link RawPgClient} that has logged in (no password: trust) and runs simple queries, for tests that must
 * hold a session in an exact protocol state (inside a transaction, mid-query), read what a server sends
 * unasked (a FATAL from a timeout), or leave without Terminate ({@link #close()} just closes the socket).
 */
public final class RawSession implements AutoCloseable {

    private final RawPgClient client;
    private final List<RawMessage> login;

    private RawSession(RawPgClient client, List<RawMessage> login) {
        this.client = client;
        this.login = List.copyOf(login);
    }

    /**
     * Connects, sends a StartupMessage for {@code user} and {@code database} and reads up to ReadyForQuery.
     *
     * @param timeout bounds the connect and every read
     * @throws AssertionError when the login ends in an ErrorResponse
     */
    public static RawSession login(String host, int port, String database, String user, Duration timeout)
            throws IOException {
        RawPgClient client = RawPgClient.connect(host, port, timeout);
        try {
            client.sendStartup(Map.of("user", user, "database", database));
            List<RawMessage> messages = client.readUntilReadyForQuery();
            if (messages.stream().anyMatch(message -> message.type() == 'E')) {
                throw new AssertionError("login as " + user + " to " + database + " failed: " + messages);
            }
            return new RawSession(client, messages);
        } catch (IOException | RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /** The client, to send or read single messages. */
    public RawPgClient client() {
        return client;
    }

    /** What the login returned, AuthenticationOk to ReadyForQuery. */
    public List<RawMessage> loginMessages() {
        return login;
    }

    /** The cancel key this session was given at login. */
    public CancelRequest cancelRequest() {
        return CancelRequest.fromLogin(login);
    }

    /**
     * Runs {@code sql} as a simple Query and returns what came back up to ReadyForQuery.
     *
     * @throws AssertionError when an ErrorResponse came back
     */
    public List<RawMessage> query(String sql) throws IOException {
        client.sendQuery(sql);
        List<RawMessage> messages = client.readUntilReadyForQuery();
        if (messages.stream().anyMatch(message -> message.type() == 'E')) {
            throw new AssertionError(sql + " failed: " + messages);
        }
        return messages;
    }

    /** Runs {@code sql} and returns the first column of its first row as text (null for SQL NULL). */
    public String value(String sql) throws IOException {
        List<RawMessage> messages = query(sql);
        RawMessage row = messages.stream().filter(message -> message.type() == 'D').findFirst()
                .orElseThrow(() -> new AssertionError(sql + " returned no row: " + messages));
        return firstColumn(row);
    }

    /** The transaction status of the last ReadyForQuery in {@code messages}. */
    public static char transactionStatus(List<RawMessage> messages) {
        return messages.get(messages.size() - 1).transactionStatus();
    }

    /** The first column of a DataRow as UTF-8 text, or null. */
    public static String firstColumn(RawMessage dataRow) {
        if (dataRow.type() != 'D') {
            throw new IllegalArgumentException("not a DataRow: " + dataRow);
        }
        ByteBuffer body = ByteBuffer.wrap(dataRow.body());
        if (body.getShort() < 1) {
            throw new AssertionError("the DataRow has no columns");
        }
        int length = body.getInt();
        if (length < 0) {
            return null;
        }
        return new String(dataRow.body(), body.position(), length, StandardCharsets.UTF_8);
    }

    /** Closes the socket without Terminate, as a client that crashed or lost its network does. */
    @Override
    public void close() throws IOException {
        client.close();
    }
}
