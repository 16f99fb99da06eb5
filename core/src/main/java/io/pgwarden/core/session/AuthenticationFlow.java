package io.pgwarden.core.session;

import io.pgwarden.core.admin.AuthReason;
import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.AuthProtocolException;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.RefusalContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates one session: walks the auth rules that match it, lets each rule's authenticator
 * drive the exchange, falls through to the next rule when a method does not apply, then runs
 * the onAuth hooks and hands the backend login to the session.
 */
final class AuthenticationFlow {

    private static final Logger LOG = LoggerFactory.getLogger(AuthenticationFlow.class);
    /**
     * What the onAuth walk takes in place of the next interceptor's decision once the session has ended (its client left
     * or its auth time ran out while an earlier interceptor's later decision was pending): onSessionEnd has run already,
     * so whatever a later onAuth took for the session, a connection slot say, would never be given back.
     */
    private static final Decision SESSION_ENDED = Decision.reject("08006", "the session ended during authentication", null);

    private final ClientSession session;
    private final SessionState state;
    /** The backend an onStartup interceptor chose, or null for the rule's. */
    private final String routedBackend;
    private ClientAuthExchange exchange;
    /** The method of the rule being tried, for the auth results meter. */
    private String method = "none";
    /** Whether the auth results meter has counted this session. */
    private boolean counted;

    AuthenticationFlow(ClientSession session, String routedBackend) {
        this.session = session;
        this.state = session.state();
        this.routedBackend = routedBackend;
    }

    void start() {
        tryRulesFrom(0);
    }

    /** Hands the client's message to the pending request; false when nothing was asked. */
    boolean deliver(Frame frame) {
        return exchange != null && exchange.deliver(frame);
    }

    /**
     * Fails the pending request with {@code error}: the frame decoder refused the answer's length.
     *
     * @return false when nothing was pending
     */
    boolean fail(AuthProtocolException error) {
        return exchange != null && exchange.fail(error);
    }

    /** The client left: fail what is pending and close a server logged into for it. */
    void abort() {
        if (exchange != null) {
            exchange.abort("the client closed the connection");
            ClientSession.closeQuietly(exchange.takeAuthenticatedServer());
        }
    }

    /** The auth timeout ran out before authentication ended. */
    void timedOut() {
        count(method, AuthReason.TIMEOUT);
    }

    private void count(String countedMethod, AuthReason reason) {
        if (!counted) {
            counted = true;
            session.runtime().meters().authResult(countedMethod, reason);
        }
    }

    private void tryRulesFrom(int fromRule) {
        ProxyRuntime runtime = session.runtime();
        boolean tls = state.client().tls() != null;
        int index = runtime.rules().match(fromRule, state.database(), state.user(), state.client().address().getAddress(), tls);
        if (index < 0) {
            if (fromRule == 0) {
                count("none", AuthReason.NO_RULE);
                session.refuse(RefusalContext.Stage.STARTUP, ErrorResponse.fatal("28000", "no pgwarden auth rule for host \""
                        + state.client().address().getAddress().getHostAddress() + "\", user \"" + state.user() + "\", database \""
                        + state.database() + "\", " + (tls ? "SSL encryption" : "no encryption")));
            } else {
                count("none", AuthReason.BAD_PASSWORD);
                session.refuse(RefusalContext.Stage.AUTH, ErrorResponse.fatal("28P01", session.passwordFailed()));
            }
            return;
        }
        AuthRule rule = runtime.rules().rule(index);
        session.authMethod(rule.method());
        method = rule.method();
        Optional<Authenticator> authenticator = runtime.chain().authenticator(rule.method());
        if (authenticator.isEmpty()) {
            LOG.error("[{}] auth rule {} names method '{}' that no plugin provides", state.sessionId(), rule.path(), rule.method());
            count(rule.method(), AuthReason.NO_METHOD);
            session.refuse(RefusalContext.Stage.AUTH, ErrorResponse.fatal("XX000", "authentication method \"" + rule.method()
                    + "\" is not available"));
            return;
        }
        session.authenticating();
        ClientAuthExchange current = new ClientAuthExchange(state, session.client(), rule, defaultLogin(rule),
                session.channelBinding(), session.passwords());
        exchange = current;
        CompletionStage<AuthOutcome> outcome;
        try {
            outcome = authenticator.get().authenticate(current);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        outcome.whenComplete((result, error) -> session.loop().execute(() -> decide(index, rule, current, result, error)));
    }

    private BackendLogin defaultLogin(AuthRule rule) {
        String backend = routedBackend != null ? routedBackend : rule.backend();
        AuthRule.LoginConfig login = rule.login();
        String user = login != null ? login.user() : state.user();
        String database = login != null && login.database() != null ? login.database() : state.database();
        Credential credential = login != null && login.password() != null ? Credential.password(login.password()) : Credential.none();
        Map<String, String> parameters = new LinkedHashMap<>(state.startupParameters());
        parameters.remove("user");
        parameters.remove("database");
        parameters.remove("replication");
        return new BackendLogin(backend, database, user, credential, parameters, List.of());
    }

    private void decide(int index, AuthRule rule, ClientAuthExchange current, AuthOutcome outcome, Throwable error) {
        if (session.closed()) {
            ClientSession.closeQuietly(current.takeAuthenticatedServer());
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            ClientSession.closeQuietly(current.takeAuthenticatedServer());
            if (cause instanceof AuthProtocolException protocol) {
                count(rule.method(), AuthReason.PROTOCOL_ERROR);
                ErrorResponse violation = ErrorResponse.fatal("08P01", protocol.getMessage());
                session.refuse(RefusalContext.Stage.AUTH, protocol.detail() == null ? violation : violation.withDetail(protocol.detail()));
            } else if (cause instanceof BackendException backend) {
                count(rule.method(), AuthReason.ofRefusal(rule.method(), backend.sqlState()));
                session.fatalFromBackend(backend);
            } else {
                count(rule.method(), AuthReason.INTERNAL_ERROR);
                LOG.error("[{}] authentication method '{}' failed", state.sessionId(), rule.method(), cause);
                session.refuse(RefusalContext.Stage.AUTH, ErrorResponse.fatal("XX000", "internal error during authentication"));
            }
            return;
        }
        if (outcome instanceof AuthOutcome.Success success) {
            state.setIdentity(success.identity());
            session.authenticated();
            session.passwords().clear();
            LOG.info("[{}] authenticated as {} by method {} (rule {})", state.sessionId(), success.identity().displayName(),
                    rule.method(), rule.path());
            BackendLogin login = success.login() != null ? success.login() : current.defaultLogin();
            AuthView view = new AuthView(state, login, session.expiry());
            HookRunner.run(session.runtime().chain().authHooks(), hook -> session.closed() ? SESSION_ENDED : hook.onAuth(view),
                    decision -> false, session.loop(),
                    (decision, by) -> {
                        if (session.closed()) {
                            ClientSession.closeQuietly(current.takeAuthenticatedServer());
                        } else if (decision instanceof Decision.Proceed) {
                            count(rule.method(), AuthReason.OK);
                            if (session.startExpiry()) {
                                session.attach(view.login(), current);
                            } else {
                                ClientSession.closeQuietly(current.takeAuthenticatedServer());
                            }
                        } else {
                            ClientSession.closeQuietly(current.takeAuthenticatedServer());
                            count(rule.method(), AuthReason.REJECTED_BY_PLUGIN);
                            session.refuse("onAuth", decision, by, RefusalContext.Stage.AUTH);
                        }
                    });
        } else if (outcome instanceof AuthOutcome.Failure failure) {
            ClientSession.closeQuietly(current.takeAuthenticatedServer());
            count(rule.method(), AuthReason.ofRefusal(rule.method(), failure.sqlState()));
            LOG.info("[{}] authentication failed for user {} (method {}, rule {}): {}", state.sessionId(), state.user(),
                    rule.method(), rule.path(), failure.logReason());
            session.refuse(RefusalContext.Stage.AUTH, ErrorResponse.fatal(failure.sqlState(),
                    failure.message() != null ? failure.message() : session.passwordFailed()));
        } else if (outcome instanceof AuthOutcome.NotApplicable notApplicable) {
            ClientSession.closeQuietly(current.takeAuthenticatedServer());
            LOG.debug("[{}] method {} does not apply: {}", state.sessionId(), rule.method(), notApplicable.logReason());
            tryRulesFrom(index + 1);
        } else {
            count(rule.method(), AuthReason.INTERNAL_ERROR);
            session.refuse(RefusalContext.Stage.AUTH, ErrorResponse.fatal("XX000", "internal error during authentication"));
        }
    }
}
