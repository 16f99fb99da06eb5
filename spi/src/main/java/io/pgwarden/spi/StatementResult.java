package io.pgwarden.spi;

import java.util.List;
import java.util.Objects;

/**
 * A result that an interceptor sends in place of the server's ({@link Decision#respond}).
 * Columns are sent as {@code text} in text format; a {@code null} value is SQL NULL.
 *
 * @param columns column names; empty for a statement without rows
 * @param rows rows, each with one value per column
 * @param commandTag the CommandComplete tag, e.g. {@code SELECT 1} or {@code SET}
 */
public record StatementResult(List<String> columns, List<List<String>> rows, String commandTag) {

    /** Copies the lists and checks that each row has one value per column. */
    public StatementResult {
        Objects.requireNonNull(commandTag, "commandTag");
        columns = List.copyOf(columns);
        List<List<String>> copied = new java.util.ArrayList<>(rows.size());
        for (List<String> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("row has " + row.size() + " values for " + columns.size() + " columns");
            }
            // List.copyOf would refuse the nulls that stand for SQL NULL.
            copied.add(java.util.Collections.unmodifiableList(new java.util.ArrayList<>(row)));
        }
        rows = java.util.Collections.unmodifiableList(copied);
    }

    /**
     * A result without rows, such as {@code SET}.
     *
     * @param commandTag the command tag
     * @return the result
     */
    public static StatementResult command(String commandTag) {
        return new StatementResult(List.of(), List.of(), commandTag);
    }
}
