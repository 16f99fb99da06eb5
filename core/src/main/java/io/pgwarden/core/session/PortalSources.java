package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.frontend.Close;
import io.pgwarden.core.protocol.frontend.Parse;
import io.pgwarden.spi.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What each portal runs, from the client's Parse and Bind messages, so that an Execute can be
 * given with its statement text and parameters. Only sessions whose chain has onExecute or
 * onComplete interceptors keep one.
 *
 * <p>Names are the client's. The unnamed statement and portal are replaced by each Parse and Bind;
 * named ones live until their Close, and portals until the transaction ends.
 */
final class PortalSources {

    /**
     * A prepared statement: its text as the server received it, what plugins noted at its Parse, and the bytes of a
     * followed Parse after the statement's name ({@code null} for one an onQuery interceptor saw, or one longer than
     * {@link #MAX_KEPT_BODY}).
     */
    private record Prepared(String sql, StatementNotes notes, KeptBytes body) {
    }

    /** A portal: the statement it was bound from and its Bind. */
    private record Portal(Prepared prepared, BindParameters bind) {
    }

    /** Longer Parse bodies are neither kept nor compared: they are decoded each time. */
    static final int MAX_KEPT_BODY = 8192;
    private static final StatementNotes NO_NOTES = new StatementNotes();

    private final Map<String, Prepared> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();

    /**
     * Follows a client message: a Parse (one that no onQuery interceptor saw, so its text goes to
     * the server as it is), a Bind or a Close; other messages change nothing.
     *
     * @param type the message type
     * @param payload the message after its type and length
     * @throws io.pgwarden.core.protocol.ProtocolException when the message is malformed
     */
    void follow(byte type, ByteBuf payload) {
        switch (type) {
            case MessageType.PARSE -> followParse(payload);
            case MessageType.BIND -> bound(BindParameters.read(payload));
            case MessageType.CLOSE -> {
                Close close = Close.decode(payload);
                closed(close.target() == Close.STATEMENT, close.name());
            }
            default -> {
            }
        }
    }

    /**
     * A Parse that no onQuery interceptor saw. Drivers parse the unnamed statement again with the same text for each
     * statement they run once (pgbench's extended mode, JDBC below its prepareThreshold); a Parse whose bytes after
     * the name are those of the statement's last followed Parse changes nothing, and is neither decoded nor stored
     * again. Any other is decoded in full, which also checks it. Bodies over {@link #MAX_KEPT_BODY} bytes are not
     * kept, so that a session holds at most that much per statement.
     */
    private void followParse(ByteBuf payload) {
        int start = payload.readerIndex();
        int nameEnd = payload.forEachByte(start, payload.readableBytes(), ByteProcessor.FIND_NUL);
        int length = payload.writerIndex() - nameEnd - 1;
        if (nameEnd >= 0) {
            Prepared known = statements.get(nameEnd == start ? "" : payload.toString(start, nameEnd - start, StandardCharsets.UTF_8));
            if (known != null && known.body() != null && known.body().matches(payload, nameEnd + 1, length)) {
                return;
            }
        }
        Parse parse = Parse.decode(payload);
        KeptBytes body = length <= MAX_KEPT_BODY ? KeptBytes.copyOf(payload, nameEnd + 1, length) : null;
        statements.put(parse.statement(), new Prepared(parse.query(), NO_NOTES, body));
    }

    /** A Parse went to the server with this text (after rewrites), as an onQuery interceptor saw it. */
    void parsed(String statement, String sql, StatementNotes notes) {
        statements.put(statement, new Prepared(sql, notes == null ? NO_NOTES : notes, null));
    }

    private void bound(BindParameters bind) {
        portals.put(bind.portal(), new Portal(statements.get(bind.statement()), bind));
    }

    void closed(boolean statement, String name) {
        (statement ? statements : portals).remove(name);
    }

    /** The transaction ended with no client message in flight: its portals are gone on the server. */
    void transactionEnded() {
        portals.clear();
    }

    /**
     * The Execute of a portal, with what the proxy knows of it.
     *
     * @param session the session
     * @param portal the portal's name
     * @return the view; its text is null when the proxy did not see the Parse
     */
    ExecuteView execute(SessionContext session, String portal) {
        Portal source = portals.get(portal);
        if (source == null) {
            return new ExecuteView(session, null, "", portal, null, NO_NOTES);
        }
        Prepared prepared = source.prepared();
        return new ExecuteView(session, prepared == null ? null : prepared.sql(), source.bind().statement(), portal,
                source.bind(), prepared == null ? NO_NOTES : prepared.notes());
    }
}
