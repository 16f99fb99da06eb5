package io.pgwarden.it.oidc;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.Services;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test plugin {@code test-auth-gate}: an onAuth check placed before or after the oidc plugin. An entry named {@code N}
 * ({@code name: N}) acts on sessions whose application_name asks for it:
 * <ul>
 *   <li>{@code N-refuse}: refused with 28000 {@code refused by the test gate N};</li>
 *   <li>{@code N-hold}: the decision comes later, after {@code hold} (default 1s), as a plugin that does I/O would
 *       answer; {@link #count} tells how many holds began ({@code "N held"}) and how many completed
 *       ({@code "N released"}).</li>
 * </ul>
 */
public final class AuthGate implements InterceptorFactory {

    private static final Map<String, AtomicInteger> EVENTS = new ConcurrentHashMap<>();

    @Override
    public String type() {
        return "test-auth-gate";
    }

    /** How often the event ({@code "N held"} or {@code "N released"}) happened in this JVM. */
    static int count(String event) {
        return EVENTS.computeIfAbsent(event, key -> new AtomicInteger()).get();
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        String name = config.requireString("name");
        Duration hold = config.duration("hold", Duration.ofSeconds(1));
        Executor later = CompletableFuture.delayedExecutor(hold.toMillis(), TimeUnit.MILLISECONDS);
        return new Interceptor() {
            @Override
            public Decision onAuth(AuthContext context) {
                String application = context.startupParameters().getOrDefault("application_name", "");
                if (application.equals(name + "-refuse")) {
                    return Decision.reject("28000", "refused by the test gate " + name, null);
                }
                if (!application.equals(name + "-hold")) {
                    return Decision.proceed();
                }
                CompletableFuture<Decision> decision = new CompletableFuture<>();
                EVENTS.computeIfAbsent(name + " held", key -> new AtomicInteger()).incrementAndGet();
                later.execute(() -> {
                    // The session's continuation is queued on its event loop inside complete(), before the count moves.
                    decision.complete(Decision.proceed());
                    EVENTS.computeIfAbsent(name + " released", key -> new AtomicInteger()).incrementAndGet();
                });
                return Decision.later(decision);
            }
        };
    }
}
