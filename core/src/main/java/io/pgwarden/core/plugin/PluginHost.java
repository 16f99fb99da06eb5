package io.pgwarden.core.plugin;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pgwarden.core.config.PluginEntry;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.config.SecretResolver;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads plugins and builds interceptor chains from them. Each jar or zip in the plugins directory
 * gets its own class loader that sees only the JDK and the SPI; its factories are found with
 * {@link ServiceLoader}. Factories on the proxy's own class path (built-ins, tests) are found too.
 *
 * <p>Loading is all or nothing: any problem stops startup with a {@link PluginLoadException}
 * naming the plugin, its file and the types that are available.
 */
public final class PluginHost implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);
    private static final Pattern TYPE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final List<LoadedPlugin> plugins;
    private final Map<String, FactorySource> factories;
    private final List<Authenticator> builtIns = new CopyOnWriteArrayList<>();
    private final PrometheusMeterRegistry meterRegistry;

    private PluginHost(List<LoadedPlugin> plugins, Map<String, FactorySource> factories,
                       PrometheusMeterRegistry meterRegistry) {
        this.plugins = List.copyOf(plugins);
        this.factories = Collections.unmodifiableMap(factories);
        this.meterRegistry = meterRegistry;
    }

    /**
     * Loads every plugin in the directory and the factories on the class path, with a new
     * metrics registry.
     *
     * @param pluginsDirectory the plugins folder; a folder that does not exist means no plugin files
     * @return the host
     * @throws PluginLoadException when a plugin cannot be loaded
     */
    public static PluginHost load(Path pluginsDirectory) {
        return load(pluginsDirectory, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * Loads every plugin in the directory and the factories on the class path.
     *
     * @param pluginsDirectory the plugins folder; a folder that does not exist means no plugin files
     * @param meterRegistry the proxy's registry, where plugins' metrics are published
     * @return the host
     * @throws PluginLoadException when a plugin cannot be loaded
     */
    public static PluginHost load(Path pluginsDirectory, PrometheusMeterRegistry meterRegistry) {
        Objects.requireNonNull(pluginsDirectory, "pluginsDirectory");
        Objects.requireNonNull(meterRegistry, "meterRegistry");
        ClassLoader coreLoader = PluginHost.class.getClassLoader();
        Map<String, FactorySource> factories = new TreeMap<>();
        for (FactorySource source : discover(coreLoader, FactorySource.CLASS_PATH)) {
            register(factories, source);
        }
        List<LoadedPlugin> plugins = new ArrayList<>();
        try {
            SpiClassLoader parent = new SpiClassLoader(InterceptorFactory.class.getClassLoader());
            Map<String, LoadedPlugin> byId = new TreeMap<>();
            for (Path file : pluginFiles(pluginsDirectory)) {
                LoadedPlugin plugin = PluginArchive.open(file, parent);
                plugins.add(plugin);
                LoadedPlugin same = byId.putIfAbsent(plugin.descriptor().id(), plugin);
                if (same != null) {
                    throw new PluginLoadException("plugin id '" + plugin.descriptor().id() + "' appears twice: in "
                            + same.file() + " and in " + file + "; keep one of them");
                }
                List<FactorySource> found = discover(plugin.classLoader(), file.toString());
                if (found.isEmpty()) {
                    throw new PluginLoadException("plugin '" + plugin.descriptor().id() + "' (" + file
                            + ") provides no interceptor factory: list its InterceptorFactory classes in "
                            + "META-INF/services/" + InterceptorFactory.class.getName());
                }
                for (FactorySource source : found) {
                    register(factories, source);
                }
                LOG.info("Loaded plugin {} {} from {}: types {}", plugin.descriptor().id(), plugin.descriptor().version(),
                        file, found.stream().map(FactorySource::type).collect(Collectors.joining(", ")));
            }
        } catch (RuntimeException | LinkageError e) {
            plugins.forEach(LoadedPlugin::close);
            throw e;
        }
        return new PluginHost(plugins, factories, meterRegistry);
    }

    private static List<Path> pluginFiles(Path directory) {
        if (Files.notExists(directory)) {
            LOG.info("Plugins directory {} does not exist; using plugins on the class path only", directory);
            return List.of();
        }
        if (!Files.isDirectory(directory)) {
            throw new PluginLoadException("plugins directory " + directory + " is not a directory");
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(PluginArchive::isPluginFile).sorted().toList();
        } catch (IOException e) {
            throw new PluginLoadException("cannot list plugins directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private static List<FactorySource> discover(ClassLoader loader, String origin) {
        List<FactorySource> found = new ArrayList<>();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            for (InterceptorFactory factory : ServiceLoader.load(InterceptorFactory.class, loader)) {
                String type = factory.type();
                if (type == null || !TYPE_NAME.matcher(type).matches()) {
                    throw new PluginLoadException("plugin factory " + factory.getClass().getName() + " (" + origin
                            + ") has an invalid type '" + type + "': use lower case letters, digits and dashes");
                }
                found.add(new FactorySource(type, factory, factory.getClass().getClassLoader(), origin));
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new PluginLoadException("cannot load the interceptor factories of " + origin + ": " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
        return found;
    }

    private static void register(Map<String, FactorySource> factories, FactorySource source) {
        FactorySource earlier = factories.putIfAbsent(source.type(), source);
        if (earlier != null) {
            throw new PluginLoadException("plugin type '" + source.type() + "' is provided twice: by " + earlier.origin()
                    + " and by " + source.origin() + "; remove one of them");
        }
    }

    /**
     * Adds one of the core's own authenticators ({@code trust}, {@code passthrough}) to every chain
     * created after this call.
     *
     * @param authenticator the authenticator
     */
    public void registerBuiltIn(Authenticator authenticator) {
        builtIns.add(Objects.requireNonNull(authenticator, "authenticator"));
    }

    /**
     * The plugin types that chains may use.
     *
     * @return the type names, sorted
     */
    public Set<String> availableTypes() {
        return factories.keySet();
    }

    /**
     * The types with where each comes from, for messages and the admin console.
     *
     * @return e.g. {@code masking (/opt/pgwarden/plugins/masking.jar), protocol-log (class path)}
     */
    public String describeTypes() {
        if (factories.isEmpty()) {
            return "none (the plugins directory holds no plugin and none is on the class path)";
        }
        return factories.values().stream().map(FactorySource::toString).collect(Collectors.joining(", "));
    }

    /**
     * The proxy's metrics registry, which plugins' metrics are published to.
     *
     * @return the registry
     */
    public PrometheusMeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /**
     * Builds the chain for a configuration, with services of its own (closed with the chain).
     * Relative {@code ${file:}} secret references of plugins resolve against the configuration file's directory,
     * like the core's own.
     *
     * @param entries the chain from the YAML, in order
     * @param config the configuration (backends for side connections)
     * @return the chain
     * @throws PluginLoadException when a type is unknown or a plugin fails to start
     */
    public InterceptorChain createChain(List<PluginEntry> entries, ProxyConfig config) {
        return createChain(entries, config, List.of());
    }

    /**
     * Builds the chain for a configuration, as {@link #createChain(List, ProxyConfig)}, with built-in
     * authenticators that belong to this configuration only (such as {@code passthrough}, which connects
     * to its backends); a reload builds a new chain with new ones.
     *
     * @param entries the chain from the YAML, in order
     * @param config the configuration (backends for side connections)
     * @param configBuiltIns the configuration's own built-in authenticators, next to the registered ones
     * @return the chain
     * @throws PluginLoadException when a type is unknown or a plugin fails to start
     */
    public InterceptorChain createChain(List<PluginEntry> entries, ProxyConfig config, List<Authenticator> configBuiltIns) {
        CoreServices services = new CoreServices(config,
                SecretResolver.forDirectory(config.baseDirectory()), meterRegistry);
        try {
            return build(entries, services, services, configBuiltIns);
        } catch (RuntimeException | LinkageError e) {
            services.close();
            throw e;
        }
    }

    /**
     * Builds the chain for a configuration with services the caller owns and closes.
     *
     * @param entries the chain from the YAML, in order
     * @param services the services plugins get
     * @return the chain
     * @throws PluginLoadException when a type is unknown or a plugin fails to start
     */
    public InterceptorChain createChain(List<PluginEntry> entries, CoreServices services) {
        return build(entries, Objects.requireNonNull(services, "services"), null, List.of());
    }

    private InterceptorChain build(List<PluginEntry> entries, CoreServices services, AutoCloseable owned,
                                   List<Authenticator> configBuiltIns) {
        List<PluginInterceptor> created = new ArrayList<>(entries.size());
        try {
            for (PluginEntry entry : entries) {
                created.add(create(entry, services));
            }
            List<Authenticator> authenticators = new ArrayList<>(builtIns);
            authenticators.addAll(configBuiltIns);
            return new InterceptorChain(created, authenticators, owned);
        } catch (RuntimeException | LinkageError e) {
            Collections.reverse(created);
            for (PluginInterceptor interceptor : created) {
                try {
                    interceptor.close();
                } catch (RuntimeException | LinkageError closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    private PluginInterceptor create(PluginEntry entry, CoreServices services) {
        String path = entry.config().path();
        FactorySource source = factories.get(entry.type());
        if (source == null) {
            throw new PluginLoadException(path + ": no plugin provides type '" + entry.type()
                    + "'; available types: " + describeTypes());
        }
        Services pluginServices = services.forPlugin(entry.type(), path, source.loader());
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(source.loader());
        Interceptor interceptor;
        try {
            interceptor = source.factory().create(entry.config(), pluginServices);
        } catch (PluginConfigException e) {
            throw new PluginLoadException("plugin '" + entry.type() + "' (" + source.origin()
                    + ") refused its configuration: " + e.getMessage(), e);
        } catch (Exception | LinkageError e) {
            throw new PluginLoadException("plugin '" + entry.type() + "' (" + source.origin() + ") at " + path
                    + " failed to start: " + e, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
        if (interceptor == null) {
            throw new PluginLoadException("plugin '" + entry.type() + "' (" + source.origin() + ") at " + path
                    + " returned no interceptor");
        }
        return new PluginInterceptor(entry.type(), source.origin(), interceptor, source.loader(), services.meterRegistry());
    }

    /** Closes the plugins' class loaders and deletes unpacked zips. Close every chain first. */
    @Override
    public void close() {
        plugins.forEach(LoadedPlugin::close);
    }

    @Override
    public String toString() {
        return "PluginHost[" + describeTypes() + "]";
    }
}
