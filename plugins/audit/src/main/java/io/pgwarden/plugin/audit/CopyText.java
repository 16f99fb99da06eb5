package io.pgwarden.plugin.audit;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rows of the audit table in the text format of {@code COPY ... FROM STDIN}: columns separated by tabs, rows ended by
 * newlines, and in each value a backslash, tab, newline or carriage return escaped with a backslash, so the
 * record's bytes reach the table exactly as they were hashed.
 */
final class CopyText {

    /** The columns, in the order of {@link #rows}. */
    static final String COLUMNS = "(stream, seq, time, type, record)";

    private static final Pattern PREFIX = Pattern.compile(
            "^\\{\"seq\":(0|[1-9][0-9]{0,18}),\"prev\":\"[0-9a-f]{64}\",\"type\":\"([a-z_]+)\",\"time\":\"([^\"\\\\]+)\"");

    private CopyText() {
    }

    /**
     * The COPY text of records.
     *
     * @param stream the stream name
     * @param records chained records, each starting with seq, prev, type and time
     * @return the rows
     * @throws IllegalArgumentException when a record does not start that way
     */
    static String rows(String stream, List<String> records) {
        StringBuilder out = new StringBuilder(records.size() * 512);
        for (String record : records) {
            Matcher prefix = PREFIX.matcher(record);
            if (!prefix.find()) {
                throw new IllegalArgumentException("not a chained audit record: " + record.substring(0, Math.min(80, record.length())));
            }
            escape(out, stream).append('\t').append(prefix.group(1)).append('\t');
            escape(out, prefix.group(3)).append('\t');
            escape(out, prefix.group(2)).append('\t');
            escape(out, record).append('\n');
        }
        return out.toString();
    }

    /**
     * The seq of a chained record.
     *
     * @param record the record
     * @return its seq
     * @throws IllegalArgumentException when it is not a chained record
     */
    static long seq(String record) {
        Matcher prefix = PREFIX.matcher(record);
        if (!prefix.find()) {
            throw new IllegalArgumentException("not a chained audit record");
        }
        return Long.parseLong(prefix.group(1));
    }

    static StringBuilder escape(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out;
    }
}
