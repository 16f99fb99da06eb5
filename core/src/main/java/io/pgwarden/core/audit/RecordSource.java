package io.pgwarden.core.audit;

/**
 * Where the records that {@link AuditChainVerifier} checks come from, which decides how a problem names a record
 * and whether a header may occur after the first record.
 */
public enum RecordSource {

    /** One audit file: records are named by line number from 1; a single header opens the file. */
    FILE,

    /**
     * One stream of an audit table, ordered by seq: records are named by seq from 0; every restart of the writer
     * adds a header linked to the record before it.
     */
    TABLE;

    /**
     * The name of the record at a position, e.g. {@code line 8} or {@code seq 7}.
     *
     * @param index the position from 0
     * @return the name
     */
    String name(long index) {
        return this == FILE ? "line " + (index + 1) : "seq " + index;
    }

    /**
     * The number the verification reports for a position: the line number, or the seq.
     *
     * @param index the position from 0
     * @return the number
     */
    long number(long index) {
        return this == FILE ? index + 1 : index;
    }

    boolean headersInside() {
        return this == TABLE;
    }

    String emptyProblem() {
        return this == FILE ? "the file is empty: no header record" : "the stream has no records";
    }

    String headlessProblem() {
        return this == FILE ? "the first line is not a header with seq 0: the beginning of the file was deleted"
                : "the first record is not a header with seq 0: the beginning of the stream was deleted";
    }
}
