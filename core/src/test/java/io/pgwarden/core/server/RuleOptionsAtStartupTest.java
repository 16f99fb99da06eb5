package io.pgwarden.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgwarden.core.config.ConfigException;
import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.ProxyConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authenticator.checkRuleOptions (SPI 1.1) at startup: a bad rule option stops the proxy with its YAML path. */
class RuleOptionsAtStartupTest {

    @TempDir
    Path dir;

    @BeforeEach
    void forget() {
        RuleOptionsTestFactory.CHECKED.clear();
    }

    private ProxyConfig config(String rules) {
        return ConfigLoader.parse("""
                listen: { host: 127.0.0.1, port: 0 }
                backends: { pg: { host: 127.0.0.1, port: 1 } }
                auth:
                  rules:
                %s
                plugins: [ { type: rule-options-test } ]
                plugins_dir: .
                """.formatted(rules.indent(4)), dir);
    }

    @Test
    void everyRuleOptionProblemIsReportedWithTheRulePathAndTheOptionKey() {
        ProxyConfig config = config("""
                - { method: trust, flavour: anything }
                - { method: picky, flavour: bitter }
                - { method: picky, user: bob, address: 10.0.0.0/8, tls: true, backend: pg, colour: blue }
                - { method: picky, flavour: sour }
                - { method: no-such-method, colour: blue }
                """);

        ConfigException failure = catchThrowableOfType(() -> PgwardenServer.start(config), ConfigException.class);

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactly(
                "auth.rules[0].flavour: unknown option for method trust, which takes none; rule keys are database, user, "
                        + "address, tls, method, backend and login",
                "auth.rules[1].flavour: expected sweet or sour, found 'bitter'",
                "auth.rules[2].colour: unknown option for method picky; known: flavour",
                "auth.rules[4].method: unknown authentication method 'no-such-method'; available: passthrough, picky, trust");
    }

    @Test
    void theAuthenticatorSeesOnlyTheRulesOptionsNotItsMatchKeys() {
        ProxyConfig config = config("""
                - { method: picky, user: bob, database: app, address: 10.0.0.0/8, tls: true, backend: pg, colour: blue }
                """);

        catchThrowableOfType(() -> PgwardenServer.start(config), ConfigException.class);

        assertThat(RuleOptionsTestFactory.CHECKED).containsExactly(Map.of("colour", "blue"));
    }

    @Test
    void validOptionsLetTheProxyStart() throws Exception {
        ProxyConfig config = config("""
                - { method: picky, flavour: sweet }
                - { method: picky, user: bob }
                """);

        try (PgwardenServer server = PgwardenServer.start(config)) {
            assertThat(server).isNotNull();
        }
        assertThat(RuleOptionsTestFactory.CHECKED).containsExactly(Map.of("flavour", "sweet"), Map.of());
    }
}
