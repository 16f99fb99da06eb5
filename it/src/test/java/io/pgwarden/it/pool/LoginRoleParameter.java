package io.pgwarden.it.pool;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.Services;
import java.util.HashMap;
import java.util.Map;

/**
 * Test plugin {@code test-pool-login-role}: onAuth logs every client in as one shared service account
 * {@code user} and puts the client's startup user into the login's {@code role} parameter, the way a
 * set-role strategy does, so that the person's role is in the pooled servers' startup packet.
 *
 * <pre>{@code
 * plugins:
 *   - { type: test-pool-login-role, user: pool_sso }
 * }</pre>
 */
public final class LoginRoleParameter implements InterceptorFactory {

    @Override
    public String type() {
        return "test-pool-login-role";
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        String serviceAccount = config.requireString("user");
        return new Interceptor() {
            @Override
            public Decision onAuth(AuthContext context) {
                Map<String, String> parameters = new HashMap<>(context.login().parameters());
                parameters.put("role", context.startupParameters().get("user"));
                context.setLogin(context.login().withUser(serviceAccount, Credential.none()).withParameters(parameters));
                return Decision.proceed();
            }
        };
    }
}
