package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.SessionContext;

/** A statement of a session; counts how often its text was asked for (the core decodes it then). */
final class FakeQuery implements QueryContext {

    private final SessionContext session;
    private final String sql;
    int sqlCalls;

    FakeQuery(SessionContext session, String sql) {
        this.session = session;
        this.sql = sql;
    }

    @Override
    public SessionContext session() {
        return session;
    }

    @Override
    public Kind kind() {
        return Kind.SIMPLE;
    }

    @Override
    public String sql() {
        sqlCalls++;
        return sql;
    }

    @Override
    public String statementName() {
        return "";
    }
}
