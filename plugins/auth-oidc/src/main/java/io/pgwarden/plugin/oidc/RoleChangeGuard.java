package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.QueryContext;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps a set-role session in the person's role. At authentication a session is marked when its
 * identity comes from method {@code oidc} or {@code oauth} and its backend login is the {@code set_role} service
 * account (whichever strategy produced it: that account can become anybody): the attribute
 * {@value #ATTRIBUTE} holds the person's role. Each statement of a marked session is checked by
 * {@link RoleChangeRules}; other sessions cost one map lookup and their text is never decoded.
 */
final class RoleChangeGuard {

    /** The session attribute that marks a set-role session; its value is the person's role. */
    static final String ATTRIBUTE = "oidc.set-role";
    static final String SQLSTATE = "42501";
    static final String MESSAGE = "pgwarden: changing the role is not allowed in a set-role session";
    static final String ENCODING_MESSAGE = "pgwarden: a set-role session needs a client_encoding pgwarden can read, such as UTF8";

    private final String serviceAccount;
    private final System.Logger logger;

    /**
     * Creates the guard.
     *
     * @param serviceAccount {@code set_role.user}
     * @param logger the plugin's logger
     */
    RoleChangeGuard(String serviceAccount, System.Logger logger) {
        this.serviceAccount = Objects.requireNonNull(serviceAccount, "serviceAccount");
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    /**
     * Marks the session when it logs in as the service account for a person of method oidc or oauth.
     * Called from onAuth, on the session's event loop.
     *
     * @param context the authenticated session
     * @return proceed, or a refusal when the client's encoding would blind the guard
     */
    Decision mark(AuthContext context) {
        BackendLogin login = context.login();
        if (!TokenLogin.isTokenMethod(context.authenticatedIdentity().method()) || !serviceAccount.equals(login.user())) {
            return Decision.proceed();
        }
        String role = login.parameters().getOrDefault(SetRoleStrategy.ROLE_PARAMETER, context.authenticatedIdentity().databaseRole());
        String encoding = context.startupParameters().get("client_encoding");
        if (encoding != null && RoleChangeRules.unsafeEncoding(encoding)) {
            return Decision.reject("28000", ENCODING_MESSAGE, "connect with client_encoding UTF8");
        }
        context.attributes().put(ATTRIBUTE, role);
        return Decision.proceed();
    }

    /**
     * Checks a statement of a marked session.
     *
     * @param context the statement
     * @return proceed, or a refusal with SQLSTATE 42501
     */
    Decision check(QueryContext context) {
        Map<String, Object> attributes = context.session().attributes();
        Object role = attributes.get(ATTRIBUTE);
        if (role == null) {
            return Decision.proceed();
        }
        Optional<String> refusal = RoleChangeRules.refusal(context.sql());
        if (refusal.isEmpty()) {
            return Decision.proceed();
        }
        if (logger.isLoggable(System.Logger.Level.DEBUG)) {
            logger.log(System.Logger.Level.DEBUG, "[" + context.session().sessionId() + "] set-role session of \"" + role
                    + "\": statement refused: " + refusal.get());
        }
        return Decision.reject(SQLSTATE, MESSAGE, "the statement holds " + refusal.get() + "; this session keeps the role \""
                + role + "\" (pgwarden's set-role strategy)");
    }

    @Override
    public String toString() {
        return "RoleChangeGuard[" + serviceAccount + "]";
    }
}
