package io.pgwarden.it.session;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.Services;
import java.time.Instant;

/**
 * Test plugin {@code test-session-expiry}: a client whose startup {@code application_name} is
 * {@code expire:<ms>[,<ms>...]} gets one {@code AuthContext.expireAt(now + ms, message)} call per number, the
 * message naming the user and the number ({@link #message}). Other clients get no deadline.
 */
public final class ExpiringLogin implements InterceptorFactory {

    static final String PREFIX = "expire:";

    /** The message of the deadline {@code millis} after onAuth for {@code user}. */
    static String message(String user, long millis) {
        return "the sign-in of " + user + " expired (test deadline " + millis + "ms); sign in again";
    }

    @Override
    public String type() {
        return "test-session-expiry";
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        return new Interceptor() {
            @Override
            public Decision onAuth(AuthContext context) {
                String application = context.startupParameters().getOrDefault("application_name", "");
                if (application.startsWith(PREFIX)) {
                    Instant now = services.clock().instant();
                    for (String millis : application.substring(PREFIX.length()).split(",")) {
                        long after = Long.parseLong(millis.trim());
                        context.expireAt(now.plusMillis(after), message(context.startupParameters().get("user"), after));
                    }
                }
                return Decision.proceed();
            }
        };
    }
}
