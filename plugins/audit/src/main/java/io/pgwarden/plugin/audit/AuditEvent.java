package io.pgwarden.plugin.audit;

/**
 * One event as a hook records it: only references and numbers, so that a hook allocates one small object;
 * the writer thread lexes, fingerprints and renders it.
 *
 * @param type what happened
 * @param epochMillis when, from the plugin's clock
 * @param session the session's facts
 * @param sql the query string the statement came from; {@code null} for other events and for an
 *            extended-protocol execution whose Parse the plugin did not see
 * @param statementIndex the statement's position within a simple query string
 * @param extended whether the statement came through the extended protocol; unknown (false) when {@code sql} is null
 * @param commandTag the command tag, empty on error; {@code null} for other events
 * @param sqlState the SQLSTATE of the error, or {@code null}
 * @param durationNanos the duration of the statement or the session; negative when unknown
 */
record AuditEvent(Type type, long epochMillis, SessionFacts session, String sql, int statementIndex, boolean extended,
                  String commandTag, String sqlState, long durationNanos) {

    /** The kinds of events. */
    enum Type {
        /** A client connected and sent its startup message. */
        SESSION_START("session_start"),
        /** Authentication succeeded. */
        AUTH_SUCCESS("auth_success"),
        /** The server completed or refused a statement. */
        STATEMENT("statement"),
        /** The session ended. */
        SESSION_END("session_end");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        /**
         * The name written in the {@code type} field.
         *
         * @return the name
         */
        String wireName() {
            return wireName;
        }
    }

    /**
     * An event that is not a statement.
     *
     * @param type the type
     * @param epochMillis when
     * @param session the session
     * @param durationNanos the session's duration for {@link Type#SESSION_END}, otherwise -1
     * @return the event
     */
    static AuditEvent of(Type type, long epochMillis, SessionFacts session, long durationNanos) {
        return new AuditEvent(type, epochMillis, session, null, 0, false, null, null, durationNanos);
    }
}
