package io.pgwarden.plugin.scram;

import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.Services;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code scram} plugin type: proxy-side password authentication (methods
 * {@code scram-sha-256}, {@code md5}, {@code password}) against a userlist file and/or an
 * auth_query, logging into the backend as the client's own user.
 *
 * <pre>
 * plugins:
 *   - type: scram
 *     iterations: 4096
 *     md5: false
 *     userlist: conf/userlist.txt
 *     auth_query: { user: pgwarden_auth, password: "${env:PGWARDEN_AUTH_PASSWORD}" }
 *     failures: { delay: 200ms, max_delay: 5s, lockout_after: 10, lockout: 5m, max_tracked: 100000 }
 * </pre>
 */
public final class ScramAuthFactory implements InterceptorFactory {

    /** The type name in the YAML chain. */
    public static final String TYPE = "scram";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) throws Exception {
        ScramAuthSettings settings = ScramAuthSettings.parse(config);
        if (settings.iterations() < ScramVerifier.DEFAULT_ITERATIONS) {
            services.logger().log(System.Logger.Level.WARNING, config.pathOf("iterations") + " is " + settings.iterations()
                    + ", below PostgreSQL's default of " + ScramVerifier.DEFAULT_ITERATIONS + ": verifiers derived by pgwarden are weaker");
        }
        CredentialSource credentials = sources(config, services, settings.iterations());
        try {
            FailureThrottle throttle = new FailureThrottle(settings.failures(), services.clock(),
                    FailureThrottle.delayingOn(services.blockingExecutor()));
            AuthResources resources = new AuthResources(credentials, MockSecrets.forProcess(settings.iterations()), throttle,
                    new AuthMetrics(services.metrics()), services.blockingExecutor(), services.logger());
            return new ScramAuthPlugin(settings, resources);
        } catch (RuntimeException e) {
            credentials.close();
            throw e;
        }
    }

    /** The userlist first, then the auth_query: the first that knows the user answers. */
    private static CredentialSource sources(PluginConfig config, Services services, int iterations) throws Exception {
        List<CredentialSource> sources = new ArrayList<>(2);
        try {
            if (config.has(ScramAuthSettings.USERLIST)) {
                UserlistSource.fromConfig(config, services, iterations).ifPresent(sources::add);
            }
            if (config.has(ScramAuthSettings.AUTH_QUERY)) {
                sources.add(AuthQuerySource.fromConfig(config.section(ScramAuthSettings.AUTH_QUERY), services, iterations));
            }
        } catch (Exception e) {
            sources.forEach(CredentialSource::close);
            throw e;
        }
        return new CredentialSources(sources);
    }
}
