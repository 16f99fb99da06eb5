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
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The contexts the core hands the audit hooks, with fixed values, for unit tests. */
final class FakeContexts {

    private FakeContexts() {
    }

    /** An Execute: unnamed statement and portal. */
    record Execute(SessionContext session, String sql, List<String> parameters) implements ExecuteContext {
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
