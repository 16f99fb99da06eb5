package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OAuthRuleOptionsTest {

    private static final String MAIN = "https://login.example.com/realms/main";
    private static final String PARTNERS = "https://partners.example.com";
    private static final OidcAuthSettings SETTINGS = new OidcAuthSettings("plugins[0]", 16384, OidcAuthSettings.StartupUser.MATCH,
            "client-cert", Set.of("client-cert"));

    private final OAuthRuleOptions single = new OAuthRuleOptions(Map.of(MAIN, List.of("pgwarden", "openid")));
    private final OAuthRuleOptions two = new OAuthRuleOptions(twoIssuers());

    @Test
    void withOneIssuerTheDiscoveryNamesItWithOpenidAndItsRequiredScopes() {
        single.check(Map.of(), SETTINGS);

        assertThat(single.discovery(Map.of())).isEqualTo(new OAuthDiscovery(MAIN, "openid pgwarden"));
    }

    @Test
    void issuerAndScopeOptionsAreUsed() {
        Map<String, String> options = Map.of("issuer", PARTNERS, "scope", "openid db:read", "strategy", "client-cert");
        two.check(options, SETTINGS);

        assertThat(two.discovery(options)).isEqualTo(new OAuthDiscovery(PARTNERS, "openid db:read"));
        assertThat(two.discovery(Map.of("issuer", MAIN))).isEqualTo(new OAuthDiscovery(MAIN, "openid"));
    }

    @Test
    void withSeveralIssuersTheIssuerOptionIsRequired() {
        assertRefused(two, Map.of(), "issuer", "is required when the oidc plugin has more than one issuer; one of: " + MAIN + ", "
                + PARTNERS);
    }

    @Test
    void anIssuerThatIsNotConfiguredIsRefused() {
        assertRefused(single, Map.of("issuer", "https://evil.example.com"), "issuer",
                "'https://evil.example.com' is not a configured issuer");
        assertRefused(single, Map.of("issuer", MAIN + "/"), "issuer", "is not a configured issuer");
    }

    @Test
    void aBadScopeIsRefused() {
        assertRefused(single, Map.of("scope", "  "), "scope", "is empty");
        assertRefused(single, Map.of("scope", "openid  pgwarden"), "scope", "single spaces");
        assertRefused(single, Map.of("scope", "openid \"x\""), "scope", "visible ASCII");
        assertRefused(single, Map.of("scope", "openid pässword"), "scope", "visible ASCII");
    }

    @Test
    void unknownOptionsAndAllowWithoutTlsAreRefused() {
        assertRefused(single, Map.of("scopes", "openid"), "scopes",
                "unknown option for method oauth; known: issuer, scope, strategy, provision");
        assertRefused(single, Map.of("allow_without_tls", "true"), "allow_without_tls", "always requires SSL");
    }

    @Test
    void theSharedStrategyOptionIsCheckedLikeMethodOidcs() {
        assertRefused(single, Map.of("strategy", "set-role"), "strategy", "set-role is not configured");
        assertRefused(single, Map.of("strategy", "magic"), "strategy", "expected client-cert, service-account or set-role");
    }

    private static void assertRefused(OAuthRuleOptions options, Map<String, String> rule, String path, String message) {
        assertThatThrownBy(() -> options.check(rule, SETTINGS)).isInstanceOfSatisfying(PluginConfigException.class, e -> {
            assertThat(e.path()).isEqualTo(path);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static Map<String, List<String>> twoIssuers() {
        Map<String, List<String>> issuers = new LinkedHashMap<>();
        issuers.put(MAIN, List.of());
        issuers.put(PARTNERS, List.of("db:read"));
        return issuers;
    }
}
