package io.pgwarden.spi;

import java.util.List;

/**
 * A result set about to stream to the client, offered to {@link Interceptor#claimResultSet}.
 */
public interface ResultSetContext {

    /**
     * The session.
     *
     * @return the session
     */
    SessionContext session();

    /**
     * The columns, in order.
     *
     * @return the columns
     */
    List<ColumnInfo> columns();

    /**
     * Reports a decision about this result set (which columns are masked) for audit plugins,
     * which find it in {@link CompletionContext#notes()} of the statement that produced it, under
     * this plugin's name.
     *
     * @param key what was decided, e.g. {@code masked}
     * @param value the decision, e.g. {@code email,phone}
     * @since 1.4
     */
    default void note(String key, String value) {
    }

    /**
     * The index of the first column with this name, or -1.
     *
     * @param name the column name
     * @return the index
     */
    default int indexOf(String name) {
        List<ColumnInfo> columns = columns();
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
