package io.pgwarden.core.session;

import io.netty.channel.EventLoop;
import io.pgwarden.core.plugin.PluginInterceptor;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls one hook on each interceptor of a chain, in order, until one decides something other
 * than proceed. Synchronous decisions complete in the caller's stack; {@link Decision.Later}
 * continues on the session's event loop when its stage completes.
 */
final class HookRunner {

    private static final Logger LOG = LoggerFactory.getLogger(HookRunner.class);

    private HookRunner() {
    }

    /**
     * Runs the hooks.
     *
     * @param hooks the interceptors that implement the hook
     * @param call calls the hook on one interceptor
     * @param absorb takes decisions that change the context and let the chain go on (rewrite);
     *               returns true when it took the decision
     * @param loop the session's event loop
     * @param done receives the final decision (proceed when every hook proceeded) and the name of the
     *             plugin that decided it (null for proceed)
     * @return true when {@code done} was called before this method returned
     */
    static boolean run(Interceptor[] hooks, Function<Interceptor, Decision> call, Predicate<Decision> absorb,
                       EventLoop loop, BiConsumer<Decision, String> done) {
        return new Walk(hooks, call, absorb, loop, done).from(0);
    }

    /**
     * The name a plugin has in notes and refusals.
     *
     * @param hook an interceptor of the chain
     * @return its entry's name, e.g. {@code router#2}
     */
    static String name(Interceptor hook) {
        return hook instanceof PluginInterceptor plugin ? plugin.name() : String.valueOf(hook);
    }

    private static final class Walk {
        private final Interceptor[] hooks;
        private final Function<Interceptor, Decision> call;
        private final Predicate<Decision> absorb;
        private final EventLoop loop;
        private final BiConsumer<Decision, String> done;

        Walk(Interceptor[] hooks, Function<Interceptor, Decision> call, Predicate<Decision> absorb,
             EventLoop loop, BiConsumer<Decision, String> done) {
            this.hooks = hooks;
            this.call = call;
            this.absorb = absorb;
            this.loop = loop;
            this.done = done;
        }

        boolean from(int start) {
            for (int i = start; i < hooks.length; i++) {
                Decision decision = invoke(hooks[i]);
                if (decision instanceof Decision.Later later) {
                    int next = i + 1;
                    Interceptor hook = hooks[i];
                    later.stage().whenComplete((result, error) -> loop.execute(() -> {
                        Decision resolved = error != null ? failed(hook, error) : (result == null ? Decision.proceed() : result);
                        if (resolved instanceof Decision.Later) {
                            resolved = failed(hook, new IllegalStateException("a later decision completed with another later decision"));
                        }
                        if (!settle(resolved, hook)) {
                            from(next);
                        }
                    }));
                    return false;
                }
                if (settle(decision, hooks[i])) {
                    return true;
                }
            }
            done.accept(Decision.proceed(), null);
            return true;
        }

        /** True when the decision ends the walk. */
        private boolean settle(Decision decision, Interceptor hook) {
            if (decision instanceof Decision.Proceed || absorb.test(decision)) {
                return false;
            }
            done.accept(decision, name(hook));
            return true;
        }

        private Decision invoke(Interceptor hook) {
            try {
                Decision decision = call.apply(hook);
                return decision == null ? Decision.proceed() : decision;
            } catch (RuntimeException e) {
                return failed(hook, e);
            }
        }

        private static Decision failed(Interceptor hook, Throwable error) {
            LOG.error("interceptor {} failed", hook, error);
            return Decision.reject("XX000", "internal error in interceptor " + hook, null);
        }
    }
}
