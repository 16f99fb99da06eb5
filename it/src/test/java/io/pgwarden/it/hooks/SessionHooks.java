package io.pgwarden.it.hooks;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.Services;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Test plugin {@code test-session-hooks}, one behaviour per startup parameter so each test
 * picks its own:
 * <ul>
 *   <li>onStartup: user {@code blocked} is refused with 28000; {@code application_name=route-me}
 *       routes the session to backend {@code second}; an application_name starting with
 *       {@code rename} is replaced by {@code renamed-by-plugin};</li>
 *   <li>onAuth: adds {@code SET pgwarden.person = '<user>'} to the session initialization;</li>
 *   <li>onComplete and onSessionEnd: record what they saw in {@link #COMPLETIONS} and {@link #ENDED}.</li>
 * </ul>
 */
public final class SessionHooks implements InterceptorFactory {

    /** "tag" or "ERROR sqlstate" of each completed statement, with the session's application_name. */
    static final Queue<String> COMPLETIONS = new ConcurrentLinkedQueue<>();
    /** The application_name of each ended session. */
    static final Queue<String> ENDED = new ConcurrentLinkedQueue<>();

    @Override
    public String type() {
        return "test-session-hooks";
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        return new Interceptor() {
            @Override
            public Decision onStartup(StartupContext context) {
                String application = context.startupParameters().getOrDefault("application_name", "");
                if ("blocked".equals(context.startupParameters().get("user"))) {
                    return Decision.reject("28000", "blocked by the test plugin", "ask someone else");
                }
                if (application.equals("route-me")) {
                    return Decision.route("second");
                }
                if (application.startsWith("rename")) {
                    context.setParameter("application_name", "renamed-by-plugin");
                }
                return Decision.proceed();
            }

            @Override
            public Decision onAuth(AuthContext context) {
                String person = context.authenticatedIdentity().databaseRole().replace("'", "''");
                context.setLogin(context.login().withSessionInit(List.of("SET pgwarden.person = '" + person + "'")));
                return Decision.proceed();
            }

            @Override
            public void onComplete(CompletionContext context) {
                String what = context.errorSqlState() == null ? context.commandTag() : "ERROR " + context.errorSqlState();
                COMPLETIONS.add(name(context.session()) + ": " + what);
            }

            @Override
            public void onSessionEnd(SessionContext context) {
                ENDED.add(name(context));
            }
        };
    }

    private static String name(SessionContext session) {
        return session.startupParameters().getOrDefault("application_name", "");
    }
}
