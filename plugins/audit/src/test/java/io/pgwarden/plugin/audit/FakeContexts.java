package io.pgwarden.plugin.audit;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.time.Instant;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The contexts the core hands the audit hooks, with fixed values, for unit tests. */
final class FakeContexts {

    private FakeContexts() {
    }

    /**
     * An Execute: unnamed statement and portal. With {@code nulls}, its values cannot be decoded: {@link #parameters()}
     * fails the test, and only their count and which are NULL can be read, as the proxy gives them.
     */
    record Execute(SessionContext session, String sql, List<String> parameters, boolean[] nulls) implements ExecuteContext {

        Execute(SessionContext session, String sql, List<String> parameters) {
            this(session, sql, parameters, null);
        }

        static Execute withoutValues(boolean... nulls) {
            return new Execute(null, "SELECT", new AbstractList<>() {
                @Override
                public String get(int index) {
                    throw new AssertionError("the values were decoded");
                }

                @Override
                public int size() {
                    return nulls.length;
                }
            }, nulls);
        }

        @Override
        public boolean parameterIsNull(int index) {
            return nulls == null ? parameters.get(index) == null : nulls[index];
        }

        @Override
        public String statementName() {
            return "";
        }

        @Override
        public String portalName() {
            return "";
        }

        @Override
        public int parameterCount() {
            return parameters.size();
        }
    }

    /** A completion of a simple query's statement ({@code execute} null) or of an Execute. */
    record Completion(SessionContext session, ExecuteContext execute, String commandTag, String errorSqlState,
                      List<Note> notes, String sql, int statementIndex, long durationNanos) implements CompletionContext {

        /** An Execute's completion, which has the Execute's text. */
        static Completion of(ExecuteContext execute, String commandTag, List<Note> notes, long durationNanos) {
            return new Completion(execute.session(), execute, commandTag, null, notes, execute.sql(), 0, durationNanos);
        }

        @Override
        public String errorMessage() {
            return errorSqlState == null ? null : "message with 'data'";
        }
    }

    /** A refusal. */
    record Refusal(SessionContext session, Stage stage, String refusedBy, String authMethod, String sqlState,
                   String message, String sql) implements RefusalContext {
    }

    /** The startup hook's view of a session. */
    record Startup(SessionContext session) implements StartupContext {
        @Override
        public void setParameter(String name, String value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeParameter(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String sessionId() {
            return session.sessionId();
        }

        @Override
        public ClientInfo client() {
            return session.client();
        }

        @Override
        public Map<String, String> startupParameters() {
            return session.startupParameters();
        }

        @Override
        public Optional<Identity> identity() {
            return session.identity();
        }

        @Override
        public Map<String, Object> attributes() {
            return session.attributes();
        }
    }

    /** The auth hook's view of a session. */
    record Auth(SessionContext session, Identity authenticatedIdentity, BackendLogin login) implements AuthContext {
        @Override
        public void setLogin(BackendLogin replacement) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void expireAt(Instant deadline, String message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String sessionId() {
            return session.sessionId();
        }

        @Override
        public ClientInfo client() {
            return session.client();
        }

        @Override
        public Map<String, String> startupParameters() {
            return session.startupParameters();
        }

        @Override
        public Optional<Identity> identity() {
            return Optional.of(authenticatedIdentity);
        }

        @Override
        public Map<String, Object> attributes() {
            return session.attributes();
        }
    }
}
