package io.pgwarden.core.config;

/** When a client gives its server connection back to the pool ({@code pool.mode}). */
public enum PoolMode {
    /** The client keeps one server from login until it disconnects (PgBouncer's {@code session}). */
    SESSION,
    /** The client holds a server only while a transaction is open (PgBouncer's {@code transaction}). */
    TRANSACTION;

    /**
     * The name used in YAML.
     *
     * @return {@code session} or {@code transaction}
     */
    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
