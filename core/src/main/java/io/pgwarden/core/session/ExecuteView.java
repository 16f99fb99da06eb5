package io.pgwarden.core.session;

import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.SessionContext;
import java.util.List;

/**
 * One Execute as onExecute sees it and {@link io.pgwarden.spi.CompletionContext#execute()} gives it
 * back. Holds its Bind's parameters (copied out of the network buffer when the Bind was read), so it
 * stays valid after the hook returns; they are decoded on the first call of {@link #parameters()}.
 */
final class ExecuteView implements ExecuteContext {

    private final SessionContext session;
    private final String sql;
    private final String statementName;
    private final String portalName;
    /** The parameters of the Bind that created the portal, or null when the proxy did not see it. */
    private final BindParameters bind;
    /** What plugins noted about the statement at its Parse. */
    private final StatementNotes statementNotes;
    private List<String> parameters;

    ExecuteView(SessionContext session, String sql, String statementName, String portalName, BindParameters bind,
                StatementNotes statementNotes) {
        this.session = session;
        this.sql = sql;
        this.statementName = statementName;
        this.portalName = portalName;
        this.bind = bind;
        this.statementNotes = statementNotes;
    }

    @Override
    public SessionContext session() {
        return session;
    }

    @Override
    public String sql() {
        return sql;
    }

    @Override
    public String statementName() {
        return statementName;
    }

    @Override
    public String portalName() {
        return portalName;
    }

    @Override
    public int parameterCount() {
        return bind == null ? 0 : bind.count();
    }

    @Override
    public List<String> parameters() {
        if (parameters == null) {
            parameters = bind == null ? List.of() : bind.decode();
        }
        return parameters;
    }

    @Override
    public boolean parameterIsNull(int index) {
        if (bind == null) {
            throw new IndexOutOfBoundsException("no parameter " + index + ": the Execute has none");
        }
        return bind.isNull(index);
    }

    /** What plugins noted about the statement this Execute runs, at its Parse. */
    StatementNotes statementNotes() {
        return statementNotes;
    }

    @Override
    public String toString() {
        return "Execute[portal=" + portalName + ", statement=" + statementName + ", parameters=" + parameterCount() + "]";
    }
}
