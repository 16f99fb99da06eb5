package io.pgwarden.core.session;

import io.pgwarden.core.protocol.backend.RowDescription;
import io.pgwarden.spi.ColumnInfo;
import io.pgwarden.spi.ResultSetContext;
import io.pgwarden.spi.SessionContext;
import java.util.ArrayList;
import java.util.List;

/** A RowDescription as claimResultSet sees it. */
final class ResultSetView implements ResultSetContext {

    private final SessionContext session;
    private final List<ColumnInfo> columns;

    ResultSetView(SessionContext session, RowDescription description) {
        this.session = session;
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
}
