package io.pgwarden.core.session;

import io.pgwarden.core.protocol.backend.RowDescription;
import io.pgwarden.spi.ColumnInfo;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.ResultSetContext;
import io.pgwarden.spi.SessionContext;
import java.util.ArrayList;
import java.util.List;

/**
 * A RowDescription as claimResultSet sees it. The core names the plugin it is calling before each
 * call, so that its notes carry that plugin's name; notes go with the statement that produced the
 * result set.
 */
final class ResultSetView implements ResultSetContext {

    private final SessionContext session;
    private final List<ColumnInfo> columns;
    private final StatementNotes notes;
    private String plugin;

    ResultSetView(SessionContext session, RowDescription description, StatementNotes notes) {
        this.session = session;
        this.notes = notes;
        List<ColumnInfo> list = new ArrayList<>(description.fields().size());
        for (RowDescription.Field field : description.fields()) {
            list.add(new ColumnInfo(field.name(), field.tableOid(), field.columnNumber(), field.typeOid(),
                    field.typeSize(), field.typeModifier(), field.formatCode() == 1));
        }
        this.columns = List.copyOf(list);
    }

    @Override
    public SessionContext session() {
        return session;
    }

    @Override
    public List<ColumnInfo> columns() {
        return columns;
    }

    /** The plugin whose claimResultSet is called next. */
    void calling(String name) {
        plugin = name;
    }

    @Override
    public void note(String key, String value) {
        notes.add(new Note(plugin, key, value));
    }
}
