package io.pgwarden.core.plugin;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.MessageContext;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.ResultSetContext;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interceptor chain of one configuration, compiled once: for each hook, the interceptors
 * whose class overrides it, in YAML order. A hook nobody overrides has an empty array, so the
 * core skips it (and the decoding it would need) at the cost of one length check.
 *
 * <p>The hook arrays are shared, not copied: callers iterate them and must not write into them.
 * Every element is a {@link PluginInterceptor}, which calls the plugin with its class loader as
 * the thread's context class loader.
 *
 * <p>Lifecycle: a chain starts with one reference, its owner's. Each session that starts with the chain
 * {@link #retain retains} it and {@link #release releases} it when it ends; when a reload replaces the
 * chain, the owner releases its reference, and the interceptors close once the last session using
 * them has ended. {@link #close} closes at once (shutdown), and closing happens only once.
 */
public final class InterceptorChain implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InterceptorChain.class);

    private final List<PluginInterceptor> interceptors;
    private final PluginInterceptor[] startupHooks;
    private final PluginInterceptor[] authHooks;
    private final PluginInterceptor[] queryHooks;
    private final PluginInterceptor[] executeHooks;
    private final PluginInterceptor[] completeHooks;
    private final PluginInterceptor[] refusedHooks;
    private final PluginInterceptor[] rowHooks;
    private final PluginInterceptor[] messageHooks;
    private final PluginInterceptor[] sessionEndHooks;
    private final Map<String, Authenticator> authenticators;
    private final AutoCloseable resources;
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param interceptors the interceptors in YAML order
     * @param builtIns the core's own authenticators
     * @param resources closed after the interceptors (the services the chain created), or {@code null}
     * @throws PluginLoadException when two authenticators share a method name
     */
    InterceptorChain(List<PluginInterceptor> interceptors, List<Authenticator> builtIns, AutoCloseable resources) {
        this.interceptors = List.copyOf(interceptors);
        this.resources = resources;
        numberSameTypes(this.interceptors);
        startupHooks = select(i -> i.overrides("onStartup", StartupContext.class));
        authHooks = select(i -> i.overrides("onAuth", AuthContext.class));
        queryHooks = select(i -> i.overrides("onQuery", QueryContext.class));
        executeHooks = select(i -> i.overrides("onExecute", ExecuteContext.class));
        completeHooks = select(i -> i.overrides("onComplete", CompletionContext.class));
        refusedHooks = select(i -> i.overrides("onRefused", RefusalContext.class));
        rowHooks = select(i -> i.overrides("claimResultSet", ResultSetContext.class));
        messageHooks = select(i -> i.overrides("onMessage", MessageContext.class));
        sessionEndHooks = select(i -> i.overrides("onSessionEnd", SessionContext.class));
        authenticators = collectAuthenticators(this.interceptors, builtIns);
    }

    /** The second entry of a type is {@code type#2}, the third {@code type#3}: names that tell entries apart. */
    private static void numberSameTypes(List<PluginInterceptor> interceptors) {
        Map<String, Integer> seen = new HashMap<>();
        for (PluginInterceptor interceptor : interceptors) {
            interceptor.number(seen.merge(interceptor.type(), 1, Integer::sum));
        }
    }

    private PluginInterceptor[] select(Predicate<PluginInterceptor> overrides) {
        return interceptors.stream().filter(overrides).toArray(PluginInterceptor[]::new);
    }

    private static Map<String, Authenticator> collectAuthenticators(List<PluginInterceptor> interceptors,
                                                                    List<Authenticator> builtIns) {
        Map<String, Authenticator> byMethod = new LinkedHashMap<>();
        Map<String, String> providers = new LinkedHashMap<>();
        for (Authenticator builtIn : builtIns) {
            add(byMethod, providers, builtIn, "the core (built-in)");
        }
        for (PluginInterceptor interceptor : interceptors) {
            for (Authenticator authenticator : interceptor.authenticators()) {
                add(byMethod, providers, authenticator, "plugin '" + interceptor.type() + "' (" + interceptor.origin() + ")");
            }
        }
        return Collections.unmodifiableMap(byMethod);
    }

    private static void add(Map<String, Authenticator> byMethod, Map<String, String> providers,
                            Authenticator authenticator, String provider) {
        String method = authenticator.method();
        if (method == null || method.isBlank()) {
            throw new PluginLoadException(provider + " offers an authenticator without a method name");
        }
        String earlier = providers.putIfAbsent(method, provider);
        if (earlier != null) {
            throw new PluginLoadException("auth method '" + method + "' is provided twice: by " + earlier
                    + " and by " + provider + "; remove one of them from the chain");
        }
        byMethod.put(method, authenticator);
    }

    /**
     * Interceptors that override {@code onStartup}, in YAML order.
     *
     * @return the shared array; do not modify
     */
    public PluginInterceptor[] startupHooks() {
        return startupHooks;
    }

    /**
     * Interceptors that override {@code onAuth}, in YAML order.
     *
     * @return the shared array; do not modify
     */
    public PluginInterceptor[] authHooks() {
        return authHooks;
    }

    /**
     * Interceptors that override {@code onQuery}, in YAML order.
     *
     * @return the shared array; do not modify
     */
    public PluginInterceptor[] queryHooks() {
        return queryHooks;
    }

    /**
     * Interceptors that override {@code onExecute}, in YAML order.
     *
     * @return the shared array; do not modify
     */
    public PluginInterceptor[] executeHooks() {
        return executeHooks;
    }

    /**
     * Interceptors that override {@code onRefused}, in YAML order.
     *
     * @return the shared array; do not modify
     */
    public PluginInterceptor[] refusedHooks() {
        return refusedHooks;
    }

    /**
     * Interceptors that override {@code onComplete}, in YAML order.
     *
     * @return the shared array; do not modify
     */
    public PluginInterceptor[] completeHooks() {
        return completeHooks;
    }

    /**
     * Interceptors that override {@code claimResultSet}, in YAML order.
     *
     * @return the shared array; do not modify
     */
    public PluginInterceptor[] rowHooks() {
        return rowHooks;
    }

    /**
     * Interceptors that override {@code onMessage}, in YAML order.
     *
     * @return the shared array; do not modify
     */
    public PluginInterceptor[] messageHooks() {
        return messageHooks;
    }

    /**
     * Interceptors that override {@code onSessionEnd}, in YAML order.
     *
     * @return the shared array; do not modify
     */
    public PluginInterceptor[] sessionEndHooks() {
        return sessionEndHooks;
    }

    /**
     * Every interceptor of the chain, in YAML order.
     *
     * @return the interceptors
     */
    public List<PluginInterceptor> interceptors() {
        return interceptors;
    }

    /**
     * The authenticator for an auth method: a built-in one or one a plugin of this chain provides.
     *
     * @param method the method name from an auth rule
     * @return the authenticator, empty when none has that name
     */
    public Optional<Authenticator> authenticator(String method) {
        return Optional.ofNullable(authenticators.get(method));
    }

    /**
     * The names of every auth method this chain can use, for validating auth rules.
     *
     * @return the method names
     */
    public Set<String> authMethods() {
        return authenticators.keySet();
    }

    /**
     * Takes a reference for a session that starts with this chain.
     *
     * @return false when the chain has been released by everyone already (a reload replaced it): use the current one
     */
    public boolean retain() {
        while (true) {
            int current = references.get();
            if (current <= 0) {
                return false;
            }
            if (references.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /**
     * Whether the chain has closed.
     *
     * @return true once {@link #close} ran
     */
    public boolean closed() {
        return closed.get();
    }

    /** Gives a reference back; the last one closes the chain. */
    public void release() {
        if (references.decrementAndGet() == 0) {
            close();
        }
    }

    /**
     * Closes every interceptor (in reverse YAML order, so later ones may still use earlier ones
     * while closing), then the services the chain created, whatever references are left; only the
     * first call does anything. Failures are logged, not thrown.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        references.set(0);
        List<PluginInterceptor> reversed = new ArrayList<>(interceptors);
        Collections.reverse(reversed);
        for (PluginInterceptor interceptor : reversed) {
            try {
                interceptor.close();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("Closing plugin {} failed", interceptor, e);
            }
        }
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                LOG.warn("Closing plugin services failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "InterceptorChain" + interceptors;
    }
}
