package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ScramAuthFactoryTest {

    @Test
    void factoryIsFoundByServiceLoaderAsTypeScram() {
        List<String> types = ServiceLoader.load(InterceptorFactory.class).stream().map(p -> p.get().type()).toList();
        assertThat(types).contains("scram");
        assertThat(ServiceLoader.load(InterceptorFactory.class).stream().map(ServiceLoader.Provider::type))
                .contains(ScramAuthFactory.class);
    }

    @Test
    void sectionWithoutCredentialSourcesIsRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> new ScramAuthFactory().create(new PluginConfig("plugins[0]", Map.of()), null))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[0]: needs userlist or auth_query: where users' secrets are found");
    }

    @Test
    void pluginProvidesTheThreeMethodsAndClosesItsSources() {
        TestResources test = new TestResources();
        ScramAuthSettings settings = ScramAuthSettings.parse(new PluginConfig("plugins[0]", Map.of("userlist", "u", "md5", true)));

        ScramAuthPlugin plugin = new ScramAuthPlugin(settings, test.resources);

        assertThat(plugin.authenticators()).extracting(Authenticator::method).containsExactly("scram-sha-256", "md5", "password");
        assertThat(test.source.closed).isFalse();
        plugin.close();
        assertThat(test.source.closed).isTrue();
    }

    @Test
    void metricsForEveryMethodAndReasonExistBeforeTheFirstLogin() {
        TestResources test = new TestResources();
        for (String method : List.of("scram-sha-256", "md5", "password")) {
            assertThat(test.metrics.successes(method)).isZero();
            for (AuthMetrics.Reason reason : AuthMetrics.Reason.values()) {
                assertThat(test.metrics.failures(method, reason.tag())).isZero();
            }
        }
    }
}
