package io.pgwarden.it.pool;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.Services;
import java.util.ArrayList;
import java.util.List;

/**
 * Test plugin {@code test-pool-session-role}: onAuth adds {@code SET ROLE <role>} to the session initialization
 * of clients whose startup {@code application_name} is {@code application_name}, and leaves the login (and so
 * the pool) unchanged, so that clients with and without the role share server connections.
 *
 * <pre>{@code
 * plugins:
 *   - { type: test-pool-session-role, role: pool_reader, application_name: as-reader }
 * }</pre>
 */
public final class SessionRoleInit implements InterceptorFactory {

    @Override
    public String type() {
        return "test-pool-session-role";
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        String role = config.requireString("role");
        String application = config.requireString("application_name");
        String setRole = "SET ROLE \"" + role.replace("\"", "\"\"") + "\"";
        return new Interceptor() {
            @Override
            public Decision onAuth(AuthContext context) {
                if (application.equals(context.startupParameters().get("application_name"))) {
                    List<String> init = new ArrayList<>(context.login().sessionInit());
                    init.add(setRole);
                    context.setLogin(context.login().withSessionInit(init));
                }
                return Decision.proceed();
            }
        };
    }
}
