package io.pgwarden.spi;

/**
 * One column of a RowDescription.
 *
 * @param name the column name (label)
 * @param tableOid the OID of the table, or 0
 * @param columnNumber the attribute number within the table, or 0
 * @param typeOid the OID of the data type (e.g. 25 for {@code text})
 * @param typeSize the type size (negative for variable width)
 * @param typeModifier the type modifier
 * @param binary true when values arrive in binary format, false for text format
 */
public record ColumnInfo(String name, int tableOid, int columnNumber, int typeOid, int typeSize,
                         int typeModifier, boolean binary) {
}
