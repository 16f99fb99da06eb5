package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartTest {

    @TempDir
    Path home;

    @Test
    void buildsOneDefaultBackendAndOnePassthroughRule() {
        ProxyConfig config = QuickStart.config(new HostPort("db.internal", 5433), new HostPort("0.0.0.0", 7000), home);

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
    }

    @Test
    void acceptsIpv6Addresses() {
        ProxyConfig config = QuickStart.config(new HostPort("::1", 5432), new HostPort("::", 6432), home);
        assertThat(config.listen().host()).isEqualTo("::");
        assertThat(config.backend("default").host()).isEqualTo("::1");
    }

    @Test
    void usesThePluginsFolderOfTheInstallation() throws IOException {
        Files.createDirectories(home.resolve("plugins"));
        ProxyConfig config = QuickStart.config(new HostPort("db", 5432), new HostPort("127.0.0.1", 6432), home);
        assertThat(config.pluginsDirectory()).isEqualTo(home.toAbsolutePath().resolve("plugins"));
    }
}
