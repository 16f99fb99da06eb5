package io.pgwarden.core.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NoRuleOptionsTest {

    @Test
    void trustRefusesAnyRuleOptionNamingIt() {
        assertThatThrownBy(() -> new TrustAuthenticator().checkRuleOptions(Map.of("channel_binding", "require")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("channel_binding: unknown option for method trust");
    }

    @Test
    void passthroughRefusesAnyRuleOptionNamingTheFirstInOrder() {
        assertThatThrownBy(() -> new PassthroughAuthenticator(null, null).checkRuleOptions(Map.of("zeta", "1", "alpha", "2")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("alpha: unknown option for method passthrough");
    }

    @Test
    void builtInMethodsAcceptRulesWithoutOptions() {
        assertThatCode(() -> new TrustAuthenticator().checkRuleOptions(Map.of())).doesNotThrowAnyException();
        assertThatCode(() -> new PassthroughAuthenticator(null, null).checkRuleOptions(Map.of())).doesNotThrowAnyException();
    }
}
