package io.pgwarden.core.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.core.auth.AuthRules;
import io.pgwarden.core.config.ConfigChanges;
import io.pgwarden.core.config.ConfigException;
import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.ConfigReloader;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.config.ReloadOutcome;
import io.pgwarden.core.frontend.ClientTls;
import io.pgwarden.core.plugin.InterceptorChain;
import io.pgwarden.core.plugin.PluginLoadException;
import io.pgwarden.core.session.ProxyRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration file of a running proxy. The file is read and validated as at start
 * (same binder, same secret resolution), a new interceptor chain is created when the plugins or
 * backends changed, the auth rules' methods are checked against it and the client TLS files are read
 * again; only when all of that succeeds is the new {@link Generation} installed, in one step.
 * Otherwise nothing changes and the problems are returned. Reloads run one at a time on a thread of
 * their own, never on an event loop.
 */
final class ConfigReload implements ConfigReloader, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

    private final Path file;
    private final AtomicReference<Generation> live;
    private final Function<ProxyConfig, InterceptorChain> chains;
    private final Counter applied;
    private final Counter rejected;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "pgwarden-reload");
        thread.setDaemon(true);
        return thread;
    });
    /** Chains a reload replaced; each closes when its last session ends, and at shutdown at the latest. */
    private final List<InterceptorChain> replaced = new ArrayList<>();

    /**
     * @param file the configuration file, or null when the proxy was started without one
     * @param live the generation new connections get, replaced by a successful reload
     * @param chains builds the interceptor chain of a configuration
     * @param meters where {@code pgwarden.config.reloads} is counted
     */
    ConfigReload(Path file, AtomicReference<Generation> live, Function<ProxyConfig, InterceptorChain> chains, MeterRegistry meters) {
        this.file = file;
        this.live = live;
        this.chains = chains;
        this.applied = counter(meters, "applied");
        this.rejected = counter(meters, "rejected");
    }

    private static Counter counter(MeterRegistry meters, String result) {
        return Counter.builder("pgwarden.config.reloads").description("configuration reloads, by result")
                .tag("result", result).register(meters);
    }

    @Override
    public CompletionStage<ReloadOutcome> reload(String trigger) {
        try {
            return CompletableFuture.supplyAsync(() -> reloadNow(trigger), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(new ReloadOutcome.Rejected(List.of("pgwarden is shutting down")));
        }
    }

    private ReloadOutcome reloadNow(String trigger) {
        try {
            return validateAndInstall(trigger);
        } catch (RuntimeException e) {
            LOG.error("configuration reload ({}) failed; the running configuration stays", trigger, e);
            rejected.increment();
            return new ReloadOutcome.Rejected(List.of("the reload failed: " + e.getClass().getSimpleName()
                    + "; the log has the details"));
        }
    }

    private ReloadOutcome validateAndInstall(String trigger) {
        if (file == null) {
            return reject(trigger, List.of("pgwarden was started without a configuration file (quick start): there is nothing to reload"));
        }
        Generation running = live.get();
        ProxyConfig loaded;
        try {
            loaded = ConfigLoader.load(file);
        } catch (ConfigException e) {
            return reject(trigger, e.problems());
        }
        ConfigChanges changes = ConfigChanges.between(running.runtime().config(), loaded);
        ProxyConfig next = changes.applicable();
        InterceptorChain chain = changes.chainChanged() ? null : running.runtime().chain();
        ClientTls tls;
        try {
            if (chain == null) {
                chain = chains.apply(next);
            }
            AuthMethods.check(next, chain);
            tls = clientTls(next);
        } catch (ConfigException | PluginLoadException e) {
            if (chain != null && chain != running.runtime().chain()) {
                chain.close();
            }
            return reject(trigger, e instanceof ConfigException config ? config.problems() : List.of(e.getMessage()));
        }
        install(running, next, chain, tls);
        applied.increment();
        LOG.info("configuration reloaded ({}): {}{}", trigger,
                changes.changed().isEmpty() ? "no setting changed; TLS files read again" : "changed " + String.join(", ", changes.changed()),
                changes.needsRestart().isEmpty() ? "" : "; needs a restart, kept the old value: " + String.join(", ", changes.needsRestart()));
        return new ReloadOutcome.Applied(changes.changed(), changes.needsRestart());
    }

    private void install(Generation running, ProxyConfig next, InterceptorChain chain, ClientTls tls) {
        ProxyRuntime old = running.runtime();
        old.pools().reconfigure(next.pool(), next.backends());
        old.pools().createFixedLoginPools(next.auth().rules());
        ProxyRuntime runtime = new ProxyRuntime(next, chain, new AuthRules(next.auth().rules()), old.connector(), old.cancels(),
                old.sessions(), old.pools(), old.meters(), old.reloader(), old.shutdown(), old.latest());
        live.set(new Generation(runtime, tls));
        if (chain != old.chain()) {
            synchronized (replaced) {
                replaced.removeIf(InterceptorChain::closed);
                replaced.add(old.chain());
            }
            old.chain().release();
        }
    }

    /** The client TLS files are read again even when the YAML did not change, so that a rotated certificate is picked up. */
    private static ClientTls clientTls(ProxyConfig config) {
        try {
            return ClientTls.create(config.listen().tls());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigException(List.of("listen.tls: cannot use the certificate and key: " + e.getMessage()));
        }
    }

    private ReloadOutcome reject(String trigger, List<String> problems) {
        rejected.increment();
        LOG.warn("configuration reload ({}) rejected, the running configuration stays: {}", trigger, String.join("; ", problems));
        return new ReloadOutcome.Rejected(problems);
    }

    /** Closes the chains that reloads replaced and that sessions still held; at shutdown, after the sessions ended. */
    void closeReplacedChains() {
        synchronized (replaced) {
            replaced.forEach(InterceptorChain::close);
            replaced.clear();
        }
    }

    /** Stops taking reloads and waits for one in progress. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("a configuration reload is still running at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
