package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Note;
import io.pgwarden.spi.RefusalContext;
import java.util.List;
import java.util.Objects;

/**
 * One event as a hook records it: only references and numbers, so that a hook allocates one small object;
 * the writer thread lexes, fingerprints and renders it.
 *
 * @param type what happened
 * @param epochMillis when, from the plugin's clock
 * @param session the session's facts
 * @param sql the query string the statement came from, or the refused statement; {@code null} for other events
 *            and when the text is unknown
 * @param statementIndex the statement's position within a simple query string
 * @param extended whether the statement came through the extended protocol
 * @param commandTag the command tag, empty on error; {@code null} for other events
 * @param sqlState the SQLSTATE of the error or refusal, or {@code null}
 * @param durationNanos the duration of the statement or the session; negative when unknown
 * @param parameters an Execute's parameters as {@link ParameterPolicy} lets them be written; {@code null} when
 *                   there are none to write (simple queries, other events, or an Execute the plugin did not see)
 * @param notes what plugins reported about the statement; empty for other events
 * @param refusal who refused, for {@link Type#AUTH_FAILURE} and {@link Type#REFUSAL}; otherwise {@code null}
 */
record AuditEvent(Type type, long epochMillis, SessionFacts session, String sql, int statementIndex, boolean extended,
                  String commandTag, String sqlState, long durationNanos, List<String> parameters, List<Note> notes,
                  Refusal refusal) {

    /** Checks the notes for null. */
    AuditEvent {
        Objects.requireNonNull(notes, "notes");
    }

    /**
     * About how much memory the event holds while it waits in the queue: the record and its facts, plus its text and
     * parameters at two bytes a character. Counted against {@code queue_memory} when the event is queued and given back
     * when it is taken, so it must stay the same for the same event: it reads only the event's immutable fields.
     *
     * @return the estimate in bytes
     */
    long weight() {
        long weight = 256 + (sql == null ? 0 : 2L * sql.length());
        if (parameters != null) {
            for (String parameter : parameters) {
                weight += 16 + (parameter == null ? 0 : 2L * parameter.length());
            }
        }
        for (Note note : notes) {
            weight += 48 + 2L * (note.plugin().length() + note.key().length() + note.value().length());
        }
        return weight;
    }

    /**
     * An event without parameters, notes or refusal: a statement of a simple query, or a session event.
     *
     * @param type what happened
     * @param epochMillis when
     * @param session the session's facts
     * @param sql the query string, or {@code null}
     * @param statementIndex the statement's position within the query string
     * @param extended whether it came through the extended protocol
     * @param commandTag the command tag, or {@code null}
     * @param sqlState the SQLSTATE, or {@code null}
     * @param durationNanos the duration, negative when unknown
     */
    AuditEvent(Type type, long epochMillis, SessionFacts session, String sql, int statementIndex, boolean extended,
               String commandTag, String sqlState, long durationNanos) {
        this(type, epochMillis, session, sql, statementIndex, extended, commandTag, sqlState, durationNanos, null,
                List.of(), null);
    }

    /** The kinds of events. */
    enum Type {
        /** A client connected and sent its startup message. */
        SESSION_START("session_start"),
        /** Authentication succeeded. */
        AUTH_SUCCESS("auth_success"),
        /** Authentication failed: pgwarden refused the client's login. */
        AUTH_FAILURE("auth_failure"),
        /** A client or statement was refused, by a plugin or by pgwarden, other than a failed login. */
        REFUSAL("refusal"),
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
     * Who refused a client or statement, and where.
     *
     * @param by the refusing plugin's name, or {@code pgwarden}
     * @param stage where in the session
     * @param method the authentication method of the auth rule that applied, or {@code null}
     */
    record Refusal(String by, RefusalContext.Stage stage, String method) {

        /** Checks for null. */
        Refusal {
            Objects.requireNonNull(by, "by");
            Objects.requireNonNull(stage, "stage");
        }

        /**
         * Whether this is a failed login rather than a refusal: pgwarden refused at the authentication stage.
         *
         * @return true for a failed login
         */
        boolean failedLogin() {
            return stage == RefusalContext.Stage.AUTH && "pgwarden".equals(by);
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

    /**
     * The event of a refusal: {@link Type#AUTH_FAILURE} for a failed login, {@link Type#REFUSAL} otherwise.
     *
     * @param epochMillis when
     * @param session the session
     * @param refusal who refused, where
     * @param sqlState the SQLSTATE the client got
     * @param sql the refused statement, or {@code null} when none was refused
     * @return the event
     */
    static AuditEvent refused(long epochMillis, SessionFacts session, Refusal refusal, String sqlState, String sql) {
        Type type = refusal.failedLogin() ? Type.AUTH_FAILURE : Type.REFUSAL;
        return new AuditEvent(type, epochMillis, session, sql, 0, false, null, sqlState, -1, null, List.of(), refusal);
    }
}
