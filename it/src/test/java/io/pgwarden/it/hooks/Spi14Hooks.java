package io.pgwarden.it.hooks;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.ColumnInfo;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.MessageContext;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.ResultSetContext;
import io.pgwarden.spi.RowInterceptor;
import io.pgwarden.spi.Services;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test plugin {@code test-spi14} for the SPI 1.4 hooks and SPI 1.5's completions; its {@code role} picks what an
 * entry does:
 * <ul>
 *   <li>{@code faulty}: throws from onExecute, onComplete and onRefused;</li>
 *   <li>{@code recorder}: records every onExecute, onComplete and onRefused in {@link #EVENTS}, with
 *       the session's application_name so each test reads its own;</li>
 *   <li>{@code gate}: refuses user {@code startup-reject} at startup, application_name
 *       {@code auth-reject} at onAuth and statements containing {@code /*reject*}{@code /} at onQuery;
 *       routes application_name {@code route-me} to backend {@code primary} and {@code route-nowhere} to a
 *       backend {@code nowhere} the configuration does not have; notes {@code mark=q} on
 *       statements containing {@code /*note*}{@code /} and {@code columns=noted} on result sets with a
 *       column {@code noted}; rewrites statements containing {@code /*rewrite*}{@code /} to
 *       {@code SELECT 2 AS rewritten};</li>
 *   <li>{@code tap}: overrides onMessage and counts the messages in {@link #MESSAGES}, so that the proxy
 *       inspects every frame.</li>
 * </ul>
 */
public final class Spi14Hooks implements InterceptorFactory {

    /**
     * One recorded hook call; {@code sql}, {@code index} and {@code durationNanos} of a completion are SPI 1.5's
     * {@code sql()}, {@code statementIndex()} and {@code durationNanos()}.
     */
    record Event(String application, String hook, ExecuteContext execute, String sql, List<String> parameters, String tag,
                 String sqlState, List<Note> notes, RefusalContext refusal, int index, long durationNanos) {
    }

    static final Queue<Event> EVENTS = new ConcurrentLinkedQueue<>();
    /** Messages the {@code tap} entries saw. */
    static final AtomicLong MESSAGES = new AtomicLong();

    @Override
    public String type() {
        return "test-spi14";
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        String role = config.requireString("role");
        return switch (role) {
            case "faulty" -> new Faulty();
            case "recorder" -> new Recorder();
            case "gate" -> new Gate();
            case "tap" -> new Tap();
            default -> throw new IllegalArgumentException("unknown role " + role);
        };
    }

    private static String application(SessionContext session) {
        return session.startupParameters().getOrDefault("application_name", "");
    }

    /** Sees every message, so that the proxy inspects each frame one by one. */
    private static final class Tap implements Interceptor {
        @Override
        public void onMessage(MessageContext context) {
            MESSAGES.incrementAndGet();
        }
    }

    /** Throws from every observe-only hook. */
    private static final class Faulty implements Interceptor {
        @Override
        public void onExecute(ExecuteContext context) {
            throw new IllegalStateException("onExecute fails on purpose");
        }

        @Override
        public void onComplete(CompletionContext context) {
            throw new IllegalStateException("onComplete fails on purpose");
        }

        @Override
        public void onRefused(RefusalContext context) {
            throw new IllegalStateException("onRefused fails on purpose");
        }
    }

    /** Records what it sees. */
    private static final class Recorder implements Interceptor {
        @Override
        public void onExecute(ExecuteContext context) {
            EVENTS.add(new Event(application(context.session()), "execute", context, context.sql(),
                    new ArrayList<>(context.parameters()), null, null, List.of(), null, 0, -1));
        }

        @Override
        public void onComplete(CompletionContext context) {
            ExecuteContext execute = context.execute();
            EVENTS.add(new Event(application(context.session()), "complete", execute, context.sql(),
                    execute == null ? List.of() : new ArrayList<>(execute.parameters()), context.commandTag(),
                    context.errorSqlState(), List.copyOf(context.notes()), null, context.statementIndex(),
                    context.durationNanos()));
        }

        @Override
        public void onRefused(RefusalContext context) {
            EVENTS.add(new Event(application(context.session()), "refused", null, context.sql(), List.of(), null,
                    context.sqlState(), List.of(), context, 0, -1));
        }
    }

    /** Refuses, routes and notes. */
    private static final class Gate implements Interceptor {
        @Override
        public Decision onStartup(StartupContext context) {
            if ("startup-reject".equals(context.startupParameters().get("user"))) {
                return Decision.reject("28000", "startup refused by the gate", null);
            }
            if ("route-me".equals(application(context))) {
                return Decision.route("primary");
            }
            if ("route-nowhere".equals(application(context))) {
                return Decision.route("nowhere");
            }
            return Decision.proceed();
        }

        @Override
        public Decision onAuth(AuthContext context) {
            return "auth-reject".equals(application(context)) ? Decision.reject("28000", "login refused by the gate", null)
                    : Decision.proceed();
        }

        @Override
        public Decision onQuery(QueryContext context) {
            String sql = context.sql();
            if (sql.contains("/*reject*/")) {
                return Decision.reject("42501", "statement refused by the gate", null);
            }
            if (sql.contains("/*note*/")) {
                context.note("mark", "q");
            }
            if (sql.contains("/*rewrite*/")) {
                return Decision.rewrite("SELECT 2 AS rewritten");
            }
            return Decision.proceed();
        }

        @Override
        public RowInterceptor claimResultSet(ResultSetContext context) {
            for (ColumnInfo column : context.columns()) {
                if (column.name().equals("noted")) {
                    context.note("columns", "noted");
                }
            }
            return null;
        }
    }
}
