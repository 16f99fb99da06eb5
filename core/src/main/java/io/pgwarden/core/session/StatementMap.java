package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ByteProcessor;
import io.pgwarden.core.pool.PooledServer;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Named prepared statements in transaction pooling. A client's statement names are its own; on the
 * servers a statement is named after a digest of what defines it (text and parameter types), so
 * every client that prepares the same statement shares it on each server, and a server that lacks
 * it gets a Parse injected before the Bind or Describe that uses it.
 *
 * <p>Only the name fields change: a Bind keeps its parameter bytes as a slice. A client's own Parse
 * or Close always reaches the server (re-preparing a statement the server holds: Close then Parse),
 * so every answer the client waits for is a real one; the answers to the proxy's own Parse and Close
 * messages are recognised by order (ParseComplete and CloseComplete come back in the order the
 * server got the messages) and never reach the client.
 */
final class StatementMap {

    private static final String PREFIX = "pgw_";

    /** A client statement: its name on the servers and its Parse body after the name. */
    private record Definition(String serverName, byte[] body) {
    }

    /** A Parse or Close on its way to the server; no server name when it went as the client wrote it. */
    private record Pending(boolean hidden, long group, String serverName, String clientName) {
    }

    private final Map<String, Definition> statements = new HashMap<>();
    private final ArrayDeque<Pending> parses = new ArrayDeque<>();
    private final ArrayDeque<Pending> closes = new ArrayDeque<>();
    private final int limit;

    /**
     * @param limit the most statements kept per server
     */
    StatementMap(int limit) {
        this.limit = limit;
    }

    /**
     * A client's Parse: named ones are renamed (after a Close when the server holds the statement).
     *
     * @return the bytes to send, or null to send the frame as it is (unnamed statement)
     */
    ByteBuf parse(ByteBuf frame, PooledServer server, long group) {
        int start = frame.readerIndex() + 5;
        int end = frame.writerIndex();
        int nameEnd = nul(frame, start, end, "Parse");
        if (nameEnd == start) {
            parses.addLast(passed(group));
            return null;
        }
        String clientName = frame.toString(start, nameEnd - start, StandardCharsets.UTF_8);
        byte[] body = new byte[end - nameEnd - 1];
        frame.getBytes(nameEnd + 1, body);
        Definition definition = new Definition(serverName(body), body);
        statements.put(clientName, definition);
        CompositeByteBuf out = frame.alloc().compositeBuffer(3);
        if (server.hasStatement(definition.serverName())) {
            add(out, close(frame, definition.serverName()));
            closes.addLast(new Pending(true, group, definition.serverName(), null));
        } else {
            evictFor(definition, server, group, out, frame);
        }
        add(out, parseFrame(frame, definition));
        parses.addLast(new Pending(false, group, definition.serverName(), clientName));
        return out;
    }

    /**
     * A client's Bind: a named statement gets its server name, after a Parse when the server lacks it.
     *
     * @return the bytes to send, or null to send the frame as it is
     */
    ByteBuf bind(ByteBuf frame, PooledServer server, long group) {
        int start = frame.readerIndex() + 5;
        int end = frame.writerIndex();
        int portalEnd = nul(frame, start, end, "Bind");
        int statementEnd = nul(frame, portalEnd + 1, end, "Bind");
        if (statementEnd == portalEnd + 1) {
            return null;
        }
        Definition definition = statements.get(frame.toString(portalEnd + 1, statementEnd - portalEnd - 1, StandardCharsets.UTF_8));
        if (definition == null) {
            return null; // the server answers as PostgreSQL does: no such prepared statement
        }
        CompositeByteBuf out = frame.alloc().compositeBuffer(4);
        ensure(definition, server, group, out, frame);
        byte[] name = definition.serverName().getBytes(StandardCharsets.US_ASCII);
        int restLength = end - statementEnd - 1;
        int portalLength = portalEnd - start + 1;
        ByteBuf head = frame.alloc().buffer(5 + portalLength + name.length + 1);
        head.writeByte(MessageType.BIND).writeInt(4 + portalLength + name.length + 1 + restLength);
        head.writeBytes(frame, start, portalLength).writeBytes(name).writeByte(0);
        add(out, head);
        if (restLength > 0) {
            add(out, frame.retainedSlice(statementEnd + 1, restLength));
        }
        return out;
    }

    /**
     * A client's Describe or Close of a statement; portals pass unchanged.
     *
     * @return the bytes to send, or null to send the frame as it is
     */
    ByteBuf describeOrClose(byte type, ByteBuf frame, PooledServer server, long group) {
        int start = frame.readerIndex() + 5;
        int end = frame.writerIndex();
        String message = type == MessageType.DESCRIBE ? "Describe" : "Close";
        if (end - start < 2) {
            throw new ProtocolException(message + " message is too short");
        }
        int nameEnd = nul(frame, start + 1, end, message);
        if (frame.getByte(start) != 'S' || nameEnd == start + 1) {
            if (type == MessageType.CLOSE) {
                closes.addLast(passed(group));
            }
            return null;
        }
        String clientName = frame.toString(start + 1, nameEnd - start - 1, StandardCharsets.UTF_8);
        if (type == MessageType.CLOSE) {
            Definition definition = statements.remove(clientName);
            if (definition == null) {
                closes.addLast(passed(group));
                return null;
            }
            server.removeStatement(definition.serverName());
            closes.addLast(new Pending(false, group, definition.serverName(), null));
            return close(frame, definition.serverName());
        }
        Definition definition = statements.get(clientName);
        if (definition == null) {
            return null;
        }
        CompositeByteBuf out = frame.alloc().compositeBuffer(3);
        ensure(definition, server, group, out, frame);
        ByteBuf describe = frame.alloc().buffer(7 + definition.serverName().length());
        describe.writeByte(MessageType.DESCRIBE).writeInt(4 + 1 + definition.serverName().length() + 1).writeByte('S');
        describe.writeCharSequence(definition.serverName(), StandardCharsets.US_ASCII);
        describe.writeByte(0);
        add(out, describe);
        return out;
    }

    /**
     * The server-side name of a client statement, for a Describe the proxy sends itself.
     *
     * @param clientName the client's name
     * @return the server's name, or the client's when it is not mapped
     */
    String serverName(String clientName) {
        Definition definition = statements.get(clientName);
        return definition == null ? clientName : definition.serverName();
    }

    /** Whether the next ParseComplete answers a Parse of the proxy's. */
    boolean hiddenParseNext() {
        Pending head = parses.peekFirst();
        return head != null && head.hidden();
    }

    /** Whether the next CloseComplete answers a Close of the proxy's. */
    boolean hiddenCloseNext() {
        Pending head = closes.peekFirst();
        return head != null && head.hidden();
    }

    void parseComplete() {
        parses.pollFirst();
    }

    void closeComplete() {
        closes.pollFirst();
    }

    /**
     * An ErrorResponse: the server skips the messages of this group it has not answered, so the
     * statements they would have prepared do not exist and those they would have closed still do.
     *
     * @param group the group being answered
     * @param server the server
     */
    void error(long group, PooledServer server) {
        for (Pending parse : parses) {
            if (parse.group() == group && parse.serverName() != null) {
                server.removeStatement(parse.serverName());
                if (parse.clientName() != null) {
                    Definition definition = statements.get(parse.clientName());
                    if (definition != null && definition.serverName().equals(parse.serverName())) {
                        statements.remove(parse.clientName());
                    }
                }
            }
        }
        for (Pending close : closes) {
            if (close.group() == group && close.hidden()) {
                server.addStatement(close.serverName(), Integer.MAX_VALUE);
            }
        }
    }

    /**
     * ReadyForQuery closed a group: what it did not answer was skipped.
     *
     * @param group the group it closed
     */
    void synced(long group) {
        drop(parses, group);
        drop(closes, group);
    }

    /**
     * A client dropped a statement with SQL {@code DEALLOCATE name}. The servers keep theirs: other
     * clients may share it, and the cache closes it when it ages out.
     *
     * @param clientName the client's name
     * @return true when the client had such a statement
     */
    boolean forget(String clientName) {
        return statements.remove(clientName) != null;
    }

    /** The client ran {@code DEALLOCATE ALL} or {@code DISCARD ALL}: none of its statements exist any more. */
    void clear() {
        statements.clear();
    }

    /** @return the client's statement names, for tests and stats */
    List<String> names() {
        return new ArrayList<>(statements.keySet());
    }

    /**
     * A Parse or Close sent as the client wrote it. Its answer is the client's, and it must take its
     * place in the queue: answers are matched to messages by order alone.
     */
    private static Pending passed(long group) {
        return new Pending(false, group, null, null);
    }

    private static void drop(ArrayDeque<Pending> pending, long group) {
        Iterator<Pending> it = pending.iterator();
        while (it.hasNext()) {
            if (it.next().group() <= group) {
                it.remove();
            } else {
                return;
            }
        }
    }

    /** Injects a Parse when the server lacks the statement. */
    private void ensure(Definition definition, PooledServer server, long group, CompositeByteBuf out, ByteBuf frame) {
        if (server.hasStatement(definition.serverName())) {
            return;
        }
        evictFor(definition, server, group, out, frame);
        add(out, parseFrame(frame, definition));
        parses.addLast(new Pending(true, group, definition.serverName(), null));
    }

    /** Records the statement on the server; closes the least recently used one when over the limit. */
    private void evictFor(Definition definition, PooledServer server, long group, CompositeByteBuf out, ByteBuf frame) {
        String evicted = server.addStatement(definition.serverName(), limit);
        if (evicted != null) {
            add(out, close(frame, evicted));
            closes.addLast(new Pending(true, group, evicted, null));
        }
    }

    private static ByteBuf parseFrame(ByteBuf frame, Definition definition) {
        ByteBuf parse = frame.alloc().buffer(5 + definition.serverName().length() + 1 + definition.body().length);
        parse.writeByte(MessageType.PARSE).writeInt(4 + definition.serverName().length() + 1 + definition.body().length);
        parse.writeCharSequence(definition.serverName(), StandardCharsets.US_ASCII);
        parse.writeByte(0).writeBytes(definition.body());
        return parse;
    }

    private static ByteBuf close(ByteBuf frame, String serverName) {
        ByteBuf close = frame.alloc().buffer(7 + serverName.length());
        close.writeByte(MessageType.CLOSE).writeInt(4 + 1 + serverName.length() + 1).writeByte('S');
        close.writeCharSequence(serverName, StandardCharsets.US_ASCII);
        close.writeByte(0);
        return close;
    }

    private static void add(CompositeByteBuf out, ByteBuf component) {
        out.addComponent(true, component);
    }

    private static int nul(ByteBuf frame, int from, int to, String message) {
        int index = from >= to ? -1 : frame.forEachByte(from, to - from, ByteProcessor.FIND_NUL);
        if (index < 0) {
            throw new ProtocolException(message + " message has a string without its terminator");
        }
        return index;
    }

    /** The server-side name: a digest of the statement's definition, so equal statements share it. */
    private static String serverName(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return PREFIX + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
