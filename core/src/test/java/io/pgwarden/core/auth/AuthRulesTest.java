package io.pgwarden.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.config.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthRulesTest {

    private static AuthRule rule(int index, String database, String user, List<String> cidrs, boolean tls, String method) {
        return new AuthRule("auth.rules[" + index + "]", database, user, cidrs.stream().map(Cidr::parse).toList(), tls,
                method, "primary", null, Map.of());
    }

    @Test
    void firstMatchingRuleInOrderWins() throws Exception {
        AuthRules rules = new AuthRules(List.of(
                rule(0, "app", "*", List.of(), false, "trust"),
                rule(1, "*", "*", List.of(), false, "passthrough")));
        InetAddress local = InetAddress.getByName("127.0.0.1");
        assertThat(rules.match(0, "app", "alice", local, false)).isZero();
        assertThat(rules.match(0, "other", "alice", local, false)).isEqualTo(1);
        assertThat(rules.match(1, "app", "alice", local, false)).isEqualTo(1);
    }

    @Test
    void userPatternsMatchWholeNamesOnly() throws Exception {
        AuthRules rules = new AuthRules(List.of(rule(0, "*", "*@example.com", List.of(), false, "oidc")));
        InetAddress local = InetAddress.getByName("127.0.0.1");
        assertThat(rules.match(0, "db", "ann@example.com", local, false)).isZero();
        assertThat(rules.match(0, "db", "ann@example.com.evil", local, false)).isEqualTo(-1);
        assertThat(rules.match(0, "db", "ann@exampleXcom", local, false)).as("the dot is literal").isEqualTo(-1);
    }

    @Test
    void tlsRequiredRuleSkipsPlaintextClients() throws Exception {
        AuthRules rules = new AuthRules(List.of(rule(0, "*", "*", List.of(), true, "trust")));
        InetAddress local = InetAddress.getByName("127.0.0.1");
        assertThat(rules.match(0, "db", "u", local, false)).isEqualTo(-1);
        assertThat(rules.match(0, "db", "u", local, true)).isZero();
    }

    @Test
    void addressMustFallInOneOfTheNetworks() throws Exception {
        AuthRules rules = new AuthRules(List.of(rule(0, "*", "*", List.of("10.0.0.0/8", "::1/128"), false, "trust")));
        assertThat(rules.match(0, "db", "u", InetAddress.getByName("10.1.2.3"), false)).isZero();
        assertThat(rules.match(0, "db", "u", InetAddress.getByName("::1"), false)).isZero();
        assertThat(rules.match(0, "db", "u", InetAddress.getByName("11.0.0.1"), false)).isEqualTo(-1);
    }
}
