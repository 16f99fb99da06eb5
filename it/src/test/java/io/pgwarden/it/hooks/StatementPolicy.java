package io.pgwarden.it.hooks;

import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.Services;
import io.pgwarden.spi.StatementResult;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test plugin {@code test-statement-policy}: one onQuery decision per marker in the statement text.
 * <ul>
 *   <li>{@code DROP TABLE} (any case): reject with 42501, {@value #REJECT_MESSAGE}, hint {@value #REJECT_HINT};</li>
 *   <li>{@code SELECT 'original'}: rewrite to {@code SELECT 'rewritten'};</li>
 *   <li>the comment {@link #ADD_1000}: rewrite to the same text with {@code 1000 + } in its place;</li>
 *   <li>{@code SHOW pgwarden_answer}: respond with {@link #ANSWER} without the server;</li>
 *   <li>{@code pgwarden_throw}: the hook throws;</li>
 *   <li>{@code pgwarden_slow}: a later decision, completed on another thread after {@value #SLOW_MILLIS} ms,
 *       that rewrites the statement to {@code SELECT 'late'};</li>
 *   <li>anything else proceeds.</li>
 * </ul>
 */
public final class StatementPolicy implements InterceptorFactory {

    static final String REJECT_MESSAGE = "dropping tables is not allowed through this proxy";
    static final String REJECT_HINT = "ask a database administrator";
    static final long SLOW_MILLIS = 200;
    static final String ADD_1000 = "/*add 1000*/";
    static final StatementResult ANSWER = new StatementResult(List.of("name", "value"),
            List.of(List.of("first", "1"), Arrays.asList("second", null), List.of("it's \\ quoted", "3")), "SHOW 3");

    @Override
    public String type() {
        return "test-statement-policy";
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        return new Interceptor() {
            @Override
            public Decision onQuery(QueryContext context) {
                String sql = context.sql();
                if (sql.toUpperCase(Locale.ROOT).contains("DROP TABLE")) {
                    return Decision.reject("42501", REJECT_MESSAGE, REJECT_HINT);
                }
                if (sql.trim().equals("SELECT 'original'")) {
                    return Decision.rewrite("SELECT 'rewritten'");
                }
                if (sql.contains(ADD_1000)) {
                    return Decision.rewrite(sql.replace(ADD_1000, "1000 + "));
                }
                if (sql.trim().equals("SHOW pgwarden_answer")) {
                    return Decision.respond(ANSWER);
                }
                if (sql.contains("pgwarden_throw")) {
                    throw new IllegalStateException("test interceptor fails on purpose");
                }
                if (sql.contains("pgwarden_slow")) {
                    return Decision.later(CompletableFuture.supplyAsync(() -> Decision.rewrite("SELECT 'late'"),
                            CompletableFuture.delayedExecutor(SLOW_MILLIS, TimeUnit.MILLISECONDS)));
                }
                return Decision.proceed();
            }

            @Override
            public String toString() {
                return "test-statement-policy";
            }
        };
    }
}
