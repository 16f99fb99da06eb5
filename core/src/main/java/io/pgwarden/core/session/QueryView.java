package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
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
