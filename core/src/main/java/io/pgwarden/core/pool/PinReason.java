package io.pgwarden.core.pool;

/**
 * Why a client in transaction pooling keeps its server connection until it disconnects: the
 * statement created session state that lives in that server process and cannot be moved to
 * another one.
 */
public enum PinReason {
    LISTEN("listen", "LISTEN"),
    ADVISORY_LOCK("advisory_lock", "a session advisory lock"),
    TEMP_TABLE("temp_table", "a temporary table"),
    HOLD_CURSOR("hold_cursor", "a cursor WITH HOLD"),
    SET("set", "a session-level SET of a setting pgwarden does not track"),
    PREPARE("prepare", "a SQL-level PREPARE"),
    LOAD("load", "LOAD");

    private final String metricName;
    private final String description;

    PinReason(String metricName, String description) {
        this.metricName = metricName;
        this.description = description;
    }

    /** The value of the {@code reason} tag of {@code pgwarden_pool_pinned_total}. */
    public String metricName() {
        return metricName;
    }

    /** A phrase for the log line "pinned to its server connection: ...". */
    public String description() {
        return description;
    }
}
