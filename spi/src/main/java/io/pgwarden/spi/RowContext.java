package io.pgwarden.spi;

import java.nio.ByteBuffer;

/**
 * One DataRow. Values are read as slices of the received message; only the columns a plugin
 * reads are decoded. Text values are decoded as UTF-8.
 */
public interface RowContext {

    /**
     * The result set's columns and session.
     *
     * @return the result set
     */
    ResultSetContext resultSet();

    /**
     * The number of values in the row.
     *
     * @return the count
     */
    int columnCount();

    /**
     * Whether the value is SQL NULL.
     *
     * @param column the column index
     * @return true for NULL
     */
    boolean isNull(int column);

    /**
     * The raw value, in the column's format, as a read-only buffer valid during the call; null
     * for SQL NULL.
     *
     * @param column the column index
     * @return the value bytes
     */
    ByteBuffer value(int column);

    /**
     * The value decoded as UTF-8 text; null for SQL NULL. Meaningful for text-format columns and
     * for binary-format columns of text types.
     *
     * @param column the column index
     * @return the text
     */
    String text(int column);

    /**
     * Replaces the value with raw bytes in the column's format.
     *
     * @param column the column index
     * @param value the new bytes, or null for SQL NULL
     */
    void set(int column, byte[] value);

    /**
     * Replaces the value with text, encoded as UTF-8.
     *
     * @param column the column index
     * @param value the new text, or null for SQL NULL
     */
    void setText(int column, String value);
}
