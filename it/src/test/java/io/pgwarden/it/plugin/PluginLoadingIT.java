package io.pgwarden.it.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.core.config.AuthConfig;
import io.pgwarden.core.config.ClientTlsConfig;
import io.pgwarden.core.config.LimitsConfig;
import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.ListenConfig;
import io.pgwarden.core.config.PluginEntry;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.plugin.InterceptorChain;
import io.pgwarden.core.plugin.PluginHost;
import io.pgwarden.core.plugin.PluginInterceptor;
import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.SessionContext;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin jars built during the test, dropped into a plugins folder and loaded by PluginHost the
 * way the proxy loads them at startup.
 */
class PluginLoadingIT {

    @TempDir
    Path temp;

    private PluginHost host;
    private InterceptorChain chain;

    /** A plugin whose onQuery records "type/name" in the session and reports which classes it can load. */
    private static PluginJarBuilder recorder(String id, String pkg, String type) {
        return new PluginJarBuilder(id)
                .source(pkg + ".Marker", "package " + pkg + "; public final class Marker { }")
                .source(pkg + ".RecorderFactory", """
                        package %1$s;
                        import io.pgwarden.spi.*;
                        import java.util.List;
                        public final class RecorderFactory implements InterceptorFactory {
                            public String type() { return "%2$s"; }
                            public Interceptor create(PluginConfig config, Services services) {
                                String name = config.requireString("name");
                                Marker marker = new Marker();
                                return new Interceptor() {
                                    @Override
                                    @SuppressWarnings("unchecked")
                                    public Decision onQuery(QueryContext context) {
                                        ((List<String>) context.session().attributes().get("calls")).add("%2$s/" + name);
                                        if (context.sql().startsWith("load ")) {
                                            String className = context.sql().substring(5);
                                            try {
                                                Class.forName(className);
                                                return Decision.reject("XX000", "loaded " + className, null);
                                            } catch (ClassNotFoundException e) {
                                                return Decision.reject("XX000", "cannot load " + className, null);
                                            }
                                        }
                                        return Decision.proceed();
                                    }
                                };
                            }
                        }
                        """.formatted(pkg, type))
                .factory(pkg + ".RecorderFactory");
    }

    @BeforeEach
    void buildPlugins() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        recorder("alpha", "com.example.alpha", "alpha").writeTo(plugins.resolve("alpha-1.0.0.jar"));
        recorder("beta", "com.example.beta", "beta").writeTo(plugins.resolve("beta-1.0.0.jar"));
        host = PluginHost.load(plugins);
        List<PluginEntry> entries = List.of(entry(0, "beta", "first"), entry(1, "alpha", "second"), entry(2, "beta", "third"));
        ProxyConfig config = new ProxyConfig(
                new ListenConfig("127.0.0.1", 0, new ClientTlsConfig(ClientTlsConfig.Mode.DISABLE, null, null, null)),
                Map.of(), new AuthConfig(List.of()), plugins, entries, LimitsConfig.DEFAULTS, PoolConfig.DEFAULTS);
        chain = host.createChain(config.plugins(), config);
    }

    @AfterEach
    void close() {
        if (chain != null) {
            chain.close();
        }
        if (host != null) {
            host.close();
        }
    }

    private static PluginEntry entry(int index, String type, String name) {
        return new PluginEntry(type, new PluginConfig("plugins[" + index + "]", Map.of("name", name)));
    }

    @Test
    void pluginTypesFromBuiltJarsAreAvailable() {
        assertThat(host.availableTypes()).contains("alpha", "beta");
        assertThat(chain.interceptors()).extracting(PluginInterceptor::origin)
                .containsExactly(temp.resolve("plugins/beta-1.0.0.jar").toString(),
                        temp.resolve("plugins/alpha-1.0.0.jar").toString(),
                        temp.resolve("plugins/beta-1.0.0.jar").toString());
    }

    @Test
    void hooksAreCalledInYamlOrder() {
        Query query = new Query("SELECT 1");

        for (PluginInterceptor interceptor : chain.queryHooks()) {
            assertThat(interceptor.onQuery(query)).isSameAs(Decision.proceed());
        }

        assertThat(query.calls).containsExactly("beta/first", "alpha/second", "beta/third");
        assertThat(chain.startupHooks()).isEmpty();
        assertThat(chain.messageHooks()).isEmpty();
    }

    @Test
    void eachPluginRunsInItsOwnClassLoader() {
        PluginInterceptor beta = chain.queryHooks()[0];
        PluginInterceptor alpha = chain.queryHooks()[1];

        assertThat(message(beta.onQuery(new Query("load com.example.beta.Marker")))).isEqualTo("loaded com.example.beta.Marker");
        assertThat(message(beta.onQuery(new Query("load com.example.alpha.Marker")))).isEqualTo("cannot load com.example.alpha.Marker");
        assertThat(message(alpha.onQuery(new Query("load com.example.beta.Marker")))).isEqualTo("cannot load com.example.beta.Marker");
        assertThat(message(alpha.onQuery(new Query("load io.netty.buffer.ByteBuf")))).isEqualTo("cannot load io.netty.buffer.ByteBuf");
        assertThat(message(alpha.onQuery(new Query("load io.pgwarden.core.plugin.PluginHost"))))
                .isEqualTo("cannot load io.pgwarden.core.plugin.PluginHost");
        assertThat(message(alpha.onQuery(new Query("load io.pgwarden.spi.Decision")))).isEqualTo("loaded io.pgwarden.spi.Decision");
    }

    @Test
    void coreCannotLoadAClassBundledInAPlugin() {
        assertThatThrownBy(() -> Class.forName("com.example.alpha.Marker", false, PluginHost.class.getClassLoader()))
                .isInstanceOf(ClassNotFoundException.class);
    }

    private static String message(Decision decision) {
        return ((Decision.Reject) decision).message();
    }

    /** A simple Query in a session whose attributes hold the list the plugins append to. */
    private static final class Query implements QueryContext, SessionContext {
        final List<String> calls = new ArrayList<>();
        private final Map<String, Object> attributes = new HashMap<>(Map.of("calls", calls));
        private final String sql;

        Query(String sql) {
            this.sql = sql;
        }

        @Override
        public SessionContext session() {
            return this;
        }

        @Override
        public Kind kind() {
            return Kind.SIMPLE;
        }

        @Override
        public String sql() {
            return sql;
        }

        @Override
        public String statementName() {
            return "";
        }

        @Override
        public String sessionId() {
            return "it";
        }

        @Override
        public ClientInfo client() {
            return new ClientInfo(new InetSocketAddress("127.0.0.1", 40000), null);
        }

        @Override
        public Map<String, String> startupParameters() {
            return Map.of();
        }

        @Override
        public Optional<Identity> identity() {
            return Optional.empty();
        }

        @Override
        public Map<String, Object> attributes() {
            return attributes;
        }
    }
}
