package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.core.protocol.frontend.Parse;
import io.pgwarden.core.protocol.frontend.Query;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.SessionContext;

/**
 * A Query or Parse message as onQuery sees it. The text is decoded only when a hook asks for it,
 * and the message is re-encoded only when a hook rewrote it.
 */
final class QueryView implements QueryContext {

    private final SessionState session;
    private final Kind kind;
    private final ByteBuf payload;
    private Parse parse;
    private String sql;
    private boolean rewritten;

    QueryView(SessionState session, Kind kind, ByteBuf payload) {
        this.session = session;
        this.kind = kind;
        this.payload = payload;
    }

    /**
     * Checks the message's structure without decoding its text, so a malformed message is the
     * client's protocol violation before any hook sees it, and the text stays undecoded until a
     * hook asks for it.
     *
     * @throws ProtocolException when the message is malformed
     */
    void validate() {
        int length = payload.readableBytes();
        int index = payload.readerIndex();
        if (kind == Kind.SIMPLE) {
            if (payload.bytesBefore((byte) 0) != length - 1) {
                throw new ProtocolException("invalid Query message: the text must end with its only zero byte");
            }
            return;
        }
        int nameEnd = payload.bytesBefore((byte) 0);
        int textEnd = nameEnd < 0 ? -1 : payload.bytesBefore(index + nameEnd + 1, length - nameEnd - 1, (byte) 0);
        int countAt = nameEnd + 1 + textEnd + 1;
        if (textEnd < 0 || length - countAt < 2
                || length - countAt - 2 != 4 * payload.getUnsignedShort(index + countAt)) {
            throw new ProtocolException("invalid Parse message: malformed name, text or parameter types");
        }
    }

    @Override
    public SessionContext session() {
        return session;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public String sql() {
        if (sql == null) {
            if (kind == Kind.SIMPLE) {
                sql = Query.decode(payload.duplicate()).sql();
            } else {
                sql = parse().query();
            }
        }
        return sql;
    }

    @Override
    public String statementName() {
        return kind == Kind.SIMPLE ? "" : parse().statement();
    }

    void rewrite(String text) {
        sql = text;
        rewritten = true;
    }

    boolean rewritten() {
        return rewritten;
    }

    /** Encodes the message with another statement text, keeping a Parse's name and parameter types. */
    void encodeWith(String text, ByteBuf out) {
        if (kind == Kind.SIMPLE) {
            new Query(text).encode(out);
        } else {
            Parse original = parse();
            new Parse(original.statement(), text, original.parameterTypes()).encode(out);
        }
    }

    /** Encodes a substitute that must not inherit the original's parameter types. */
    void encodeSubstitute(String text, ByteBuf out) {
        if (kind == Kind.SIMPLE) {
            new Query(text).encode(out);
        } else {
            new Parse(parse().statement(), text, java.util.List.of()).encode(out);
        }
    }

    private Parse parse() {
        if (parse == null) {
            parse = Parse.decode(payload.duplicate());
        }
        return parse;
    }
}
