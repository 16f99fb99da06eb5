package io.pgwarden.core.plugin;

import static io.pgwarden.core.plugin.TestConfigs.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginHostTest {

    @TempDir
    Path temp;

    Path plugins;
    PluginHost host;
    InterceptorChain chain;

    @BeforeEach
    void createPluginsDirectory() throws IOException {
        plugins = Files.createDirectories(temp.resolve("plugins"));
        ClassPathTestFactory.CALLS.clear();
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

    private InterceptorChain chain(PluginHost pluginHost, io.pgwarden.core.config.PluginEntry... entries) {
        ProxyConfig config = TestConfigs.proxy(plugins, List.of(entries));
        chain = pluginHost.createChain(config.plugins(), config);
        return chain;
    }

    private static String message(Decision decision) {
        return ((Decision.Reject) decision).message();
    }

    @Test
    void loadsFactoryFromPluginJarInItsOwnClassLoader() throws IOException {
        ProbePlugin.jar("probe", "com.example.probe", "probe").writeTo(plugins.resolve("probe.jar"));
        host = PluginHost.load(plugins);

        assertThat(host.availableTypes()).contains("probe", ClassPathTestFactory.TYPE);
        chain(host, entry(0, "probe"));
        Interceptor plugin = chain.interceptors().get(0).delegate();
        assertThat(plugin.getClass().getClassLoader()).isNotSameAs(PluginHost.class.getClassLoader());
        assertThat(chain.interceptors().get(0).origin()).isEqualTo(plugins.resolve("probe.jar").toString());
    }

    @Test
    void pluginSeesTheSpiAndTheJdkButNotNettyPf4jOrTheCore() throws IOException {
        ProbePlugin.jar("probe", "com.example.probe", "probe").writeTo(plugins.resolve("probe.jar"));
        host = PluginHost.load(plugins);
        chain(host, entry(0, "probe"));
        PluginInterceptor probe = chain.queryHooks()[0];

        assertThat(message(probe.onQuery(TestContexts.query("io.pgwarden.spi.Decision")))).isEqualTo("visible");
        assertThat(message(probe.onQuery(TestContexts.query("java.sql.Connection")))).isEqualTo("visible");
        assertThat(message(probe.onQuery(TestContexts.query("io.netty.buffer.ByteBuf")))).isEqualTo("invisible");
        assertThat(message(probe.onQuery(TestContexts.query("org.pf4j.PluginClassLoader")))).isEqualTo("invisible");
        assertThat(message(probe.onQuery(TestContexts.query("org.slf4j.Logger")))).isEqualTo("invisible");
        assertThat(message(probe.onQuery(TestContexts.query(PluginHost.class.getName())))).isEqualTo("invisible");
        assertThat(message(probe.onQuery(TestContexts.query("com.example.probe.Bundled")))).isEqualTo("visible");
    }

    @Test
    void pluginDoesNotSeeTheProxyClassPathResources() throws IOException {
        ProbePlugin.jar("probe", "com.example.probe", "probe").writeTo(plugins.resolve("probe.jar"));
        host = PluginHost.load(plugins);
        chain(host, entry(0, "probe"));
        ClassLoader loader = chain.interceptors().get(0).delegate().getClass().getClassLoader();

        List<java.net.URL> services = java.util.Collections.list(
                loader.getResources("META-INF/services/io.pgwarden.spi.InterceptorFactory"));
        assertThat(services).hasSize(1);
        assertThat(services.get(0).toString()).contains("probe.jar!");
        assertThat(loader.getResource("io/netty/buffer/ByteBuf.class")).isNull();
        assertThat(loader.getResource("io/pgwarden/spi/Decision.class")).isNotNull();
    }

    @Test
    void classBundledInOnePluginIsInvisibleToAnotherAndToTheCore() throws IOException {
        ProbePlugin.jar("first", "com.example.first", "first").writeTo(plugins.resolve("first.jar"));
        ProbePlugin.jar("second", "com.example.second", "second").writeTo(plugins.resolve("second.jar"));
        host = PluginHost.load(plugins);
        chain(host, entry(0, "first"), entry(1, "second"));

        PluginInterceptor second = chain.queryHooks()[1];
        assertThat(second.type()).isEqualTo("second");
        assertThat(message(second.onQuery(TestContexts.query("com.example.first.Bundled")))).isEqualTo("invisible");
        assertThat(message(second.onQuery(TestContexts.query("com.example.second.Bundled")))).isEqualTo("visible");
        assertThatThrownBy(() -> Class.forName("com.example.first.Bundled", false, PluginHost.class.getClassLoader()))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void pluginCodeRunsWithItsOwnContextClassLoader() throws IOException {
        ProbePlugin.jar("probe", "com.example.probe", "probe").writeTo(plugins.resolve("probe.jar"));
        host = PluginHost.load(plugins);
        chain(host, entry(0, "probe"));
        ClassLoader before = Thread.currentThread().getContextClassLoader();

        assertThat(message(chain.startupHooks()[0].onStartup(TestContexts.startup()))).isEqualTo("context-loader-is-plugin=true");
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void zipWithLibFolderLoadsThePluginAndItsLibraries() throws IOException {
        Path library = TestPluginJar.library()
                .source("com.example.lib.Greeting", """
                        package com.example.lib;
                        public final class Greeting {
                            public static String text() { return "hello from lib"; }
                        }
                        """)
                .writeTo(temp.resolve("build/greeting-lib.jar"));
        Path pluginJar = TestPluginJar.plugin("greeter")
                .compileAgainst(library)
                .source("com.example.greeter.GreeterFactory", """
                        package com.example.greeter;
                        import io.pgwarden.spi.*;
                        public final class GreeterFactory implements InterceptorFactory {
                            public String type() { return "greeter"; }
                            public Interceptor create(PluginConfig config, Services services) {
                                String text = com.example.lib.Greeting.text();
                                return new Interceptor() {
                                    @Override
                                    public Decision onQuery(QueryContext context) {
                                        return Decision.reject("XX000", text, null);
                                    }
                                };
                            }
                        }
                        """)
                .factory("com.example.greeter.GreeterFactory")
                .writeTo(temp.resolve("build/greeter.jar"));
        TestPluginJar.zip(plugins.resolve("greeter.zip"), pluginJar, library);

        host = PluginHost.load(plugins);
        chain(host, entry(0, "greeter"));

        assertThat(message(chain.queryHooks()[0].onQuery(TestContexts.query("SELECT 1")))).isEqualTo("hello from lib");
        assertThat(chain.interceptors().get(0).origin()).isEqualTo(plugins.resolve("greeter.zip").toString());
    }

    @Test
    void closingTheHostDeletesTheUnpackedZip() throws IOException {
        Path pluginJar = ProbePlugin.jar("probe", "com.example.probe", "probe").writeTo(temp.resolve("build/probe.jar"));
        TestPluginJar.zip(plugins.resolve("probe.zip"), pluginJar);
        host = PluginHost.load(plugins);
        chain(host, entry(0, "probe"));
        ClassLoader loader = chain.interceptors().get(0).delegate().getClass().getClassLoader();
        Path unpacked = Path.of(((java.net.URLClassLoader) loader).getURLs()[0].getPath()).getParent().getParent();
        assertThat(unpacked).exists();

        chain.close();
        chain = null;
        host.close();
        host = null;

        assertThat(unpacked).doesNotExist();
    }

    @Test
    void zipEntryThatEscapesItsFolderIsRefused() throws IOException {
        Path zip = plugins.resolve("evil.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("lib/../../escaped.jar"));
            out.write(new byte[] {1, 2, 3});
            out.closeEntry();
        }

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("evil.zip")
                .hasMessageContaining("outside its own folder");
    }

    @Test
    void zipWithoutPluginManifestIsRefused() throws IOException {
        Path library = TestPluginJar.library().writeTo(temp.resolve("build/lib.jar"));
        TestPluginJar.zip(plugins.resolve("nothing.zip"), library);

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("nothing.zip")
                .hasMessageContaining("exactly one jar");
    }

    @Test
    void pluginWithoutFactoryFailsFast() throws IOException {
        TestPluginJar.plugin("empty").writeTo(plugins.resolve("empty.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("'empty'")
                .hasMessageContaining("empty.jar")
                .hasMessageContaining("META-INF/services/io.pgwarden.spi.InterceptorFactory");
    }

    @Test
    void pluginBuiltForANewerSpiIsRefused() throws IOException {
        ProbePlugin.jar("future", "com.example.future", "future").manifest("Plugin-Requires", "1.9")
                .writeTo(plugins.resolve("future.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("'future'")
                .hasMessageContaining("future.jar")
                .hasMessageContaining("requires SPI 1.9")
                .hasMessageContaining("provides SPI " + io.pgwarden.spi.SpiVersion.CURRENT);
    }

    @Test
    void pluginBuiltForAnotherMajorSpiIsRefused() throws IOException {
        ProbePlugin.jar("old", "com.example.old", "old").manifest("Plugin-Requires", "0.3")
                .writeTo(plugins.resolve("old.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("requires SPI 0.3");
    }

    @Test
    void pluginRequiresThatIsNotAVersionIsRefused() throws IOException {
        ProbePlugin.jar("odd", "com.example.odd", "odd").manifest("Plugin-Requires", ">=1.0")
                .writeTo(plugins.resolve("odd.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("invalid Plugin-Requires '>=1.0'");
    }

    @Test
    void pluginWithoutPluginRequiresIsRefused() throws IOException {
        ProbePlugin.jar("bare", "com.example.bare", "bare").manifest("Plugin-Requires", null)
                .writeTo(plugins.resolve("bare.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("has no Plugin-Requires");
    }

    @Test
    void jarWithoutPluginIdIsRefused() throws IOException {
        ProbePlugin.jar("anon", "com.example.anon", "anon").manifest("Plugin-Id", null)
                .writeTo(plugins.resolve("anon.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("anon.jar has no Plugin-Id");
    }

    @Test
    void duplicateTypeNamesBothFiles() throws IOException {
        ProbePlugin.jar("one", "com.example.one", "same").writeTo(plugins.resolve("a-one.jar"));
        ProbePlugin.jar("two", "com.example.two", "same").writeTo(plugins.resolve("b-two.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("plugin type 'same' is provided twice")
                .hasMessageContaining("a-one.jar")
                .hasMessageContaining("b-two.jar");
    }

    @Test
    void pluginTypeThatClashesWithTheClassPathIsRefused() throws IOException {
        ProbePlugin.jar("clash", "com.example.clash", ClassPathTestFactory.TYPE).writeTo(plugins.resolve("clash.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("class path")
                .hasMessageContaining("clash.jar");
    }

    @Test
    void invalidTypeNameIsRefused() throws IOException {
        ProbePlugin.jar("upper", "com.example.upper", "Upper_Case").writeTo(plugins.resolve("upper.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("invalid type 'Upper_Case'");
    }

    @Test
    void unknownChainTypeNamesTheAvailableTypesAndWhereTheyComeFrom() throws IOException {
        ProbePlugin.jar("probe", "com.example.probe", "probe").writeTo(plugins.resolve("probe.jar"));
        host = PluginHost.load(plugins);

        assertThatThrownBy(() -> chain(host, entry(0, "probe"), entry(1, "maskign")))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("plugins[1]: no plugin provides type 'maskign'")
                .hasMessageContaining(ClassPathTestFactory.TYPE + " (class path)")
                .hasMessageContaining("probe (" + plugins.resolve("probe.jar") + ")");
    }

    @Test
    void invalidPluginSectionReportsItsYamlPath() throws IOException {
        ProbePlugin.jar("probe", "com.example.probe", "probe").writeTo(plugins.resolve("probe.jar"));
        host = PluginHost.load(plugins);

        assertThatThrownBy(() -> chain(host, entry(0, "probe", "limit", "lots")))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("plugin 'probe'")
                .hasMessageContaining("probe.jar")
                .hasMessageContaining("plugins[0].limit");
    }

    @Test
    void factoryThatThrowsStopsStartupNamingThePluginAndFile() throws IOException {
        ProbePlugin.jar("probe", "com.example.probe", "probe").writeTo(plugins.resolve("probe.jar"));
        host = PluginHost.load(plugins);

        assertThatThrownBy(() -> chain(host, entry(0, ClassPathTestFactory.TYPE, "name", "a"), entry(1, "probe", "fail", true)))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("plugin 'probe'")
                .hasMessageContaining("probe.jar")
                .hasMessageContaining("plugins[1]")
                .hasMessageContaining("cannot reach the moon");
    }

    @Test
    void classPathFactoriesAreFoundAndCalledInYamlOrder() {
        host = PluginHost.load(temp.resolve("does-not-exist"));
        chain(host, entry(0, ClassPathTestFactory.TYPE, "name", "b"), entry(1, ClassPathTestFactory.TYPE, "name", "a"));

        for (PluginInterceptor interceptor : chain.queryHooks()) {
            interceptor.onQuery(TestContexts.query("SELECT 1"));
        }

        assertThat(ClassPathTestFactory.CALLS).containsExactly("b:SELECT 1", "a:SELECT 1");
        assertThat(chain.interceptors().get(0).origin()).isEqualTo("class path");
    }

    @Test
    void pluginsDirectoryThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(temp.resolve("plugins.txt"), "not a folder");

        assertThatThrownBy(() -> PluginHost.load(file))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("is not a directory");
    }

    @Test
    void corruptJarIsRefusedNamingTheFile() throws IOException {
        Files.write(plugins.resolve("broken.jar"), new byte[] {'P', 'K', 3, 4, 0, 0});

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("broken.jar");
    }

    @Test
    void copyOfTheSpiInsideAPluginIsIgnored() throws Exception {
        byte[] decision;
        try (var in = io.pgwarden.spi.Decision.class.getResourceAsStream("Decision.class")) {
            decision = in.readAllBytes();
        }
        ProbePlugin.jar("probe", "com.example.probe", "probe")
                .entry("io/pgwarden/spi/Decision.class", decision)
                .writeTo(plugins.resolve("probe.jar"));
        host = PluginHost.load(plugins);
        chain(host, entry(0, "probe"));
        ClassLoader loader = chain.interceptors().get(0).delegate().getClass().getClassLoader();

        assertThat(Class.forName("io.pgwarden.spi.Decision", false, loader)).isSameAs(Decision.class);
    }

    @Test
    void samePluginIdInTwoFilesIsRefused() throws IOException {
        ProbePlugin.jar("twin", "com.example.one", "one").writeTo(plugins.resolve("twin-1.jar"));
        ProbePlugin.jar("twin", "com.example.two", "two").writeTo(plugins.resolve("twin-2.jar"));

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("plugin id 'twin' appears twice")
                .hasMessageContaining("twin-1.jar")
                .hasMessageContaining("twin-2.jar");
    }

    @Test
    void zipWithTwoPluginJarsIsRefused() throws IOException {
        Path one = ProbePlugin.jar("one", "com.example.one", "one").writeTo(temp.resolve("build/one.jar"));
        Path two = ProbePlugin.jar("two", "com.example.two", "two").writeTo(temp.resolve("build/two.jar"));
        TestPluginJar.zip(plugins.resolve("both.zip"), one, two);

        assertThatThrownBy(() -> PluginHost.load(plugins))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("both.zip")
                .hasMessageContaining("found 2");
    }
}
