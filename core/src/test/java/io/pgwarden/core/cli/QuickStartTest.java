package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.PoolMode;
import io.pgwarden.core.config.PoolSettings;
import io.pgwarden.core.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QuickStartTest {

    @TempDir
    Path home;

    @Test
    void buildsOneDefaultBackendAndOnePassthroughRule() {
        ProxyConfig config = QuickStart.config(new HostPort("db.internal", 5433), new HostPort("0.0.0.0", 7000), null, null, home);

        assertThat(config.listen().host()).isEqualTo("0.0.0.0");
        assertThat(config.listen().port()).isEqualTo(7000);
        assertThat(config.backends()).containsOnlyKeys("default");
        assertThat(config.backend("default").host()).isEqualTo("db.internal");
        assertThat(config.backend("default").port()).isEqualTo(5433);
        AuthRule rule = config.auth().rules().get(0);
        assertThat(config.auth().rules()).hasSize(1);
        assertThat(rule.method()).isEqualTo("passthrough");
        assertThat(rule.backend()).isEqualTo("default");
        assertThat(rule.database()).isEqualTo("*");
        assertThat(rule.user()).isEqualTo("*");
        assertThat(config.plugins()).isEmpty();
        assertThat(config.pool()).isEqualTo(PoolConfig.DEFAULTS);
    }

    @Test
    void poolModeAndSizeSetTheGlobalPool() {
        ProxyConfig config = QuickStart.config(new HostPort("db", 5432), new HostPort("127.0.0.1", 6432),
                PoolMode.TRANSACTION, 7, home);

        assertThat(config.pool().mode()).isEqualTo(PoolMode.TRANSACTION);
        assertThat(config.pool().size()).isEqualTo(7);
        assertThat(config.pool().settings("any", "one")).isEqualTo(new PoolSettings(PoolMode.TRANSACTION, 7, 0, 0, 0, 0));
    }

    @Test
    void poolOptionsAreIndependent() {
        HostPort backend = new HostPort("db", 5432);
        HostPort listen = new HostPort("127.0.0.1", 6432);

        PoolConfig modeOnly = QuickStart.config(backend, listen, PoolMode.TRANSACTION, null, home).pool();
        PoolConfig sizeOnly = QuickStart.config(backend, listen, null, 3, home).pool();

        assertThat(modeOnly.mode()).isEqualTo(PoolMode.TRANSACTION);
        assertThat(modeOnly.size()).isEqualTo(PoolConfig.DEFAULTS.size());
        assertThat(sizeOnly.mode()).isEqualTo(PoolMode.SESSION);
        assertThat(sizeOnly.size()).isEqualTo(3);
    }

    @Test
    void poolModeConverterAcceptsTheFileSpellingOnly() {
        QuickStart.PoolModeConverter converter = new QuickStart.PoolModeConverter();

        assertThat(converter.convert("session")).isEqualTo(PoolMode.SESSION);
        assertThat(converter.convert("transaction")).isEqualTo(PoolMode.TRANSACTION);
        assertThatThrownBy(() -> converter.convert("statement")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("statement mode is not supported; use transaction");
        assertThatThrownBy(() -> converter.convert("TRANSACTION")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("expected session or transaction, found 'TRANSACTION'");
        assertThatThrownBy(() -> converter.convert("")).isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void poolSizeConverterChecksTheRange() {
        QuickStart.PoolSizeConverter converter = new QuickStart.PoolSizeConverter();

        assertThat(converter.convert("1")).isEqualTo(1);
        assertThat(converter.convert("10000")).isEqualTo(10_000);
        for (String bad : new String[] {"0", "10001", "-3", "twenty", "2.5", "", "99999999999"}) {
            assertThatThrownBy(() -> converter.convert(bad)).as(bad).isInstanceOf(CommandLine.TypeConversionException.class)
                    .hasMessage("expected a pool size 1-10000, found '" + bad + "'");
        }
    }

    @Test
    void acceptsIpv6Addresses() {
        ProxyConfig config = QuickStart.config(new HostPort("::1", 5432), new HostPort("::", 6432), null, null, home);
        assertThat(config.listen().host()).isEqualTo("::");
        assertThat(config.backend("default").host()).isEqualTo("::1");
    }

    @Test
    void usesThePluginsFolderOfTheInstallation() throws IOException {
        Files.createDirectories(home.resolve("plugins"));
        ProxyConfig config = QuickStart.config(new HostPort("db", 5432), new HostPort("127.0.0.1", 6432), null, null, home);
        assertThat(config.pluginsDirectory()).isEqualTo(home.toAbsolutePath().resolve("plugins"));
    }
}
