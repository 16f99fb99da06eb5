package io.pgwarden.core.plugin;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.MessageContext;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.ResultSetContext;
import io.pgwarden.spi.RowInterceptor;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * One interceptor of the chain as the core calls it: each call runs with the plugin's class loader
 * as the thread's context class loader (libraries inside a plugin that look up classes or
 * resources through the context loader find the plugin's own), and the loader is restored after.
 * Knows which plugin it belongs to, for error messages. Counts each call of a hook the plugin
 * overrides and times one call in {@value HookTimers#SAMPLE_EVERY} ({@link HookTimers}).
 */
public final class PluginInterceptor implements Interceptor {

    private final String type;
    private final String origin;
    private final Interceptor delegate;
    private final ClassLoader loader;
    private String name;
    private final HookTimers timers;

    PluginInterceptor(String type, String origin, Interceptor delegate, ClassLoader loader, MeterRegistry registry) {
        this.type = Objects.requireNonNull(type, "type");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.name = type;
        this.timers = HookTimers.register(registry, type, this::overrides);
    }

    /**
     * The plugin type from the YAML chain.
     *
     * @return the type, e.g. {@code protocol-log}
     */
    public String type() {
        return type;
    }

    /**
     * The entry's name in notes and refusals: its type, followed by {@code #2}, {@code #3}, ... for
     * later entries of the same type in the chain.
     *
     * @return the name, e.g. {@code router} or {@code router#2}
     */
    public String name() {
        return name;
    }

    /** Set by the chain: this is the {@code ordinal}-th entry of its type (from 1). */
    void number(int ordinal) {
        name = ordinal == 1 ? type : type + "#" + ordinal;
    }

    /**
     * Where the plugin came from: its file, or {@code class path}.
     *
     * @return the origin
     */
    public String origin() {
        return origin;
    }

    Interceptor delegate() {
        return delegate;
    }

    /**
     * Whether the plugin's own class overrides the hook, i.e. whether the core must call it.
     */
    boolean overrides(String method, Class<?>... parameterTypes) {
        try {
            return delegate.getClass().getMethod(method, parameterTypes).getDeclaringClass() != Interceptor.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("Interceptor has no method " + method, e);
        }
    }

    @Override
    public Decision onStartup(StartupContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        long start = timers.start(HookTimers.Hook.ON_STARTUP);
        try {
            return delegate.onStartup(context);
        } finally {
            timers.record(HookTimers.Hook.ON_STARTUP, start);
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public Decision onAuth(AuthContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        long start = timers.start(HookTimers.Hook.ON_AUTH);
        try {
            return delegate.onAuth(context);
        } finally {
            timers.record(HookTimers.Hook.ON_AUTH, start);
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public Decision onQuery(QueryContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        long start = timers.start(HookTimers.Hook.ON_QUERY);
        try {
            return delegate.onQuery(context);
        } finally {
            timers.record(HookTimers.Hook.ON_QUERY, start);
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void onExecute(ExecuteContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        long start = timers.start(HookTimers.Hook.ON_EXECUTE);
        try {
            delegate.onExecute(context);
        } finally {
            timers.record(HookTimers.Hook.ON_EXECUTE, start);
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void onComplete(CompletionContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        long start = timers.start(HookTimers.Hook.ON_COMPLETE);
        try {
            delegate.onComplete(context);
        } finally {
            timers.record(HookTimers.Hook.ON_COMPLETE, start);
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void onRefused(RefusalContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        long start = timers.start(HookTimers.Hook.ON_REFUSED);
        try {
            delegate.onRefused(context);
        } finally {
            timers.record(HookTimers.Hook.ON_REFUSED, start);
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public RowInterceptor claimResultSet(ResultSetContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        RowInterceptor rows;
        long start = timers.start(HookTimers.Hook.CLAIM_RESULT_SET);
        try {
            rows = delegate.claimResultSet(context);
        } finally {
            timers.record(HookTimers.Hook.CLAIM_RESULT_SET, start);
            thread.setContextClassLoader(previous);
        }
        return rows == null ? null : new ContextRowInterceptor(rows, loader, timers);
    }

    @Override
    public void onMessage(MessageContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        long start = timers.start(HookTimers.Hook.ON_MESSAGE);
        try {
            delegate.onMessage(context);
        } finally {
            timers.record(HookTimers.Hook.ON_MESSAGE, start);
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void onSessionEnd(SessionContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        long start = timers.start(HookTimers.Hook.ON_SESSION_END);
        try {
            delegate.onSessionEnd(context);
        } finally {
            timers.record(HookTimers.Hook.ON_SESSION_END, start);
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public List<Authenticator> authenticators() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        List<Authenticator> own;
        try {
            own = delegate.authenticators();
        } finally {
            thread.setContextClassLoader(previous);
        }
        List<Authenticator> wrapped = new ArrayList<>(own == null ? 0 : own.size());
        if (own != null) {
            for (Authenticator authenticator : own) {
                wrapped.add(new ContextAuthenticator(Objects.requireNonNull(authenticator,
                        "plugin '" + type + "' returned a null authenticator"), loader));
            }
        }
        return List.copyOf(wrapped);
    }

    @Override
    public void close() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            delegate.close();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public String toString() {
        return type + " (" + origin + ")";
    }

    /** A row interceptor called with its plugin's context class loader. */
    private record ContextRowInterceptor(RowInterceptor delegate, ClassLoader loader, HookTimers timers) implements RowInterceptor {
        @Override
        public void onRow(io.pgwarden.spi.RowContext row) {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            long start = timers.start(HookTimers.Hook.ON_ROW);
            try {
                delegate.onRow(row);
            } finally {
                timers.record(HookTimers.Hook.ON_ROW, start);
                thread.setContextClassLoader(previous);
            }
        }
    }

    /** An authenticator called with its plugin's context class loader. */
    private record ContextAuthenticator(Authenticator delegate, ClassLoader loader) implements Authenticator {
        @Override
        public String method() {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                return delegate.method();
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        @Override
        public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                return delegate.authenticate(exchange);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        @Override
        public void checkRuleOptions(Map<String, String> options) {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                delegate.checkRuleOptions(options);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }
}
