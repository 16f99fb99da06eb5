package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimMappingTest {

    private static final Instant EXPIRES = Instant.parse("2026-11-21T12:00:00Z");

    private static ClaimMapping mapping(Map<String, Object> claims) {
        return ClaimMapping.fromConfig(new PluginConfig("plugins[0].issuers[1].claims", claims));
    }

    private static VerifiedToken token(Map<String, Object> claims) {
        return new VerifiedToken("https://idp.example.com", claims, EXPIRES);
    }

    private static Map<String, Object> claims(Object... keysAndValues) {
        Map<String, Object> claims = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            claims.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return claims;
    }

    @Test
    void keycloakDefaults() throws Exception {
        Map<String, Object> claims = claims("sub", "f3b1c2d4", "preferred_username", "alice", "email", "alice@example.com",
                "groups", List.of("/analysts", "db-users"), "realm_access", Map.of("roles", List.of("offline_access", "analyst")));

        PersonIdentity person = mapping(Map.of()).map(token(claims));

        assertThat(person.role()).isEqualTo("alice");
        assertThat(person.subject()).isEqualTo("f3b1c2d4");
        assertThat(person.displayName()).isEqualTo("alice@example.com");
        assertThat(person.groups()).containsExactlyInAnyOrder("/analysts", "db-users");
        assertThat(person.issuer()).isEqualTo("https://idp.example.com");
        assertThat(person.expiresAt()).isEqualTo(EXPIRES);
        assertThat(person.claims()).isEqualTo(claims);
    }

    @Test
    void claimsAsNimbusParsesThem() throws Exception {
        String json = "{\"iss\":\"https://idp.example.com\",\"sub\":\"f3b1\",\"exp\":1795000000,\"preferred_username\":\"Alice\","
                + "\"middle_name\":null,\"employee\":12345,\"realm_access\":{\"roles\":[\"analyst\",\"db-users\"]},"
                + "\"groups\":[\"/a\"]}";
        Map<String, Object> claims = com.nimbusds.jwt.JWTClaimsSet.parse(json).toJSONObject(false);

        PersonIdentity person = mapping(Map.of("role", "{preferred_username}_{employee}", "groups", "realm_access.roles",
                "display", "middle_name", "role_case", "lower")).map(token(claims));

        assertThat(person.role()).isEqualTo("alice_12345");
        assertThat(person.groups()).containsExactlyInAnyOrder("analyst", "db-users");
        assertThat(person.displayName()).isEqualTo("alice_12345");
    }

    @Test
    void keycloakRealmRolesByDottedPath() throws Exception {
        Map<String, Object> claims = claims("sub", "f3b1c2d4", "preferred_username", "alice",
                "realm_access", Map.of("roles", List.of("offline_access", "analyst")));

        PersonIdentity person = mapping(Map.of("groups", "realm_access.roles")).map(token(claims));

        assertThat(person.groups()).containsExactlyInAnyOrder("offline_access", "analyst");
        assertThat(person.displayName()).as("no email: the role").isEqualTo("alice");
    }

    @Test
    void keycloakClientRolesOfAClientIdWithDots() throws Exception {
        Map<String, Object> claims = claims("sub", "s", "preferred_username", "alice", "resource_access",
                Map.of("app.example.com", Map.of("roles", List.of("reader")), "app", Map.of("roles", List.of("other"))));

        assertThat(mapping(Map.of("groups", "resource_access.app.example.com.roles")).map(token(claims)).groups())
                .containsExactly("reader");
        assertThat(mapping(Map.of("groups", "resource_access.app.roles")).map(token(claims)).groups()).containsExactly("other");
        assertThat(mapping(Map.of("groups", "resource_access.nope.roles")).map(token(claims)).groups()).isEmpty();
    }

    @Test
    void entraIdObjectIdUpnAndAppRoles() throws Exception {
        Map<String, Object> claims = claims("sub", "pairwise-per-app", "oid", "00000000-0000-0000-0000-00000000a1ce",
                "upn", "Alice.Smith@Contoso.com", "name", "Alice Smith", "roles", List.of("DB.Analyst"),
                "groups", List.of("8c1f6a1e-2f8b-4a43-9c0e-6f0c0b1f2d3e"));

        PersonIdentity person = mapping(Map.of("role", "upn", "subject", "oid", "groups", "roles", "display", "name",
                "role_case", "lower")).map(token(claims));

        assertThat(person.role()).isEqualTo("alice.smith@contoso.com");
        assertThat(person.subject()).isEqualTo("00000000-0000-0000-0000-00000000a1ce");
        assertThat(person.displayName()).isEqualTo("Alice Smith");
        assertThat(person.groups()).containsExactly("DB.Analyst");
    }

    @Test
    void auth0NamespacedClaimWithDotsInItsName() throws Exception {
        Map<String, Object> claims = claims("sub", "auth0|5f7c8ec7c33c6c004bbafe82", "email", "bob@example.com",
                "https://pgwarden.example.com/roles", List.of("engineers"));

        PersonIdentity person = mapping(Map.of("role", "email", "groups", "https://pgwarden.example.com/roles"))
                .map(token(claims));

        assertThat(person.role()).isEqualTo("bob@example.com");
        assertThat(person.subject()).isEqualTo("auth0|5f7c8ec7c33c6c004bbafe82");
        assertThat(person.groups()).containsExactly("engineers");
    }

    @Test
    void templateJoinsClaimsAndLiteralText() throws Exception {
        Map<String, Object> claims = claims("sub", "s", "given_name", "Ada", "family_name", "Lovelace",
                "ext", Map.of("employee_id", 1815));

        assertThat(mapping(Map.of("role", "{given_name}.{family_name}", "role_case", "lower")).map(token(claims)).role())
                .isEqualTo("ada.lovelace");
        assertThat(mapping(Map.of("role", "u_{ext.employee_id}")).map(token(claims)).role()).isEqualTo("u_1815");
        assertThat(mapping(Map.of("role", "{given_name}")).map(token(claims)).role()).isEqualTo("Ada");
    }

    @Test
    void missingRoleClaimIsRefusedNamingTheClaim() {
        Map<String, Object> claims = claims("sub", "s", "email", "a@example.com");

        assertThatThrownBy(() -> mapping(Map.of()).map(token(claims)))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the token has no preferred_username claim");
        assertThatThrownBy(() -> mapping(Map.of("role", "{given_name}.{family_name}")).map(token(claims)))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the token has no given_name claim");
        assertThatThrownBy(() -> mapping(Map.of("role", "ext.id")).map(token(claims("sub", "s", "ext", "flat"))))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the token has no ext.id claim");
    }

    @Test
    void missingSubjectIsRefused() {
        assertThatThrownBy(() -> mapping(Map.of("subject", "oid")).map(token(claims("sub", "s", "preferred_username", "a"))))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the token has no oid claim");
        assertThatThrownBy(() -> mapping(Map.of()).map(token(claims("sub", "", "preferred_username", "a"))))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the token's sub claim is empty");
    }

    @Test
    void oddClaimTypesAreRefused() {
        assertThatThrownBy(() -> mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", List.of("a", "b")))))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the token's preferred_username claim is not a single value");
        assertThatThrownBy(() -> mapping(Map.of("role", "x{preferred_username}")).map(token(claims("sub", "s",
                "preferred_username", Map.of("a", "b")))))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the token's preferred_username claim is not a single value");
        assertThatThrownBy(() -> mapping(Map.of()).map(token(claims("sub", List.of("s"), "preferred_username", "a"))))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the token's sub claim is not a single value");
        assertThatThrownBy(() -> mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", "a",
                "groups", Map.of("x", "y")))))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the token's groups claim is neither a list of groups nor a group");
        assertThatThrownBy(() -> mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", "a",
                "groups", List.of("ok", Map.of("x", "y"))))))
                .isInstanceOf(LoginRefusedException.class)
                .hasMessage("the token's groups claim holds an item that is not a group name");
    }

    @Test
    void groupsFromOneStringOrAbsent() throws Exception {
        assertThat(mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", "a", "groups", "admins"))).groups())
                .containsExactly("admins");
        assertThat(mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", "a"))).groups()).isEmpty();
        assertThat(mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", "a", "groups", List.of("", "x", "x"))))
                .groups()).containsExactly("x");
        assertThat(mapping(Map.of("groups", "realm_access.roles")).map(token(claims("sub", "s", "preferred_username", "a",
                "realm_access", List.of("not", "a", "map")))).groups()).isEmpty();
    }

    @Test
    void roleCase() throws Exception {
        VerifiedToken token = token(claims("sub", "s", "preferred_username", "Alice@Example.COM"));

        assertThat(mapping(Map.of()).map(token).role()).isEqualTo("Alice@Example.COM");
        assertThat(mapping(Map.of("role_case", "as-is")).map(token).role()).isEqualTo("Alice@Example.COM");
        assertThat(mapping(Map.of("role_case", "lower")).map(token).role()).isEqualTo("alice@example.com");
        assertThat(mapping(Map.of("role_case", "lower")).map(token(claims("sub", "s", "preferred_username", "\u0130STANBUL"))).role())
                .as("Locale.ROOT, not the platform's").isEqualTo("i\u0307stanbul");
    }

    @Test
    void unusableRoleNamesAreRefused() throws Exception {
        assertThatThrownBy(() -> mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", ""))))
                .isInstanceOf(LoginRefusedException.class)
                .hasMessage("the token's preferred_username claim gives an empty role name");
        assertThatThrownBy(() -> mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", "a".repeat(64)))))
                .isInstanceOf(LoginRefusedException.class)
                .hasMessage("the role name from the token's preferred_username claim has 64 bytes; PostgreSQL allows at most 63");
        assertThatThrownBy(() -> mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", "é".repeat(32)))))
                .isInstanceOf(LoginRefusedException.class).hasMessageContaining("has 64 bytes");
        assertThat(mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", "a".repeat(63)))).role()).hasSize(63);
        for (String bad : List.of("alice\n", "al\u0000ice", "al\tice", "al\u007fice", "al\u0085ice")) {
            assertThatThrownBy(() -> mapping(Map.of()).map(token(claims("sub", "s", "preferred_username", bad))))
                    .isInstanceOf(LoginRefusedException.class)
                    .hasMessage("the role name from the token's preferred_username claim has a control character");
        }
        assertThatThrownBy(() -> mapping(Map.of("role", "{a}{b}")).map(token(claims("sub", "s", "a", "", "b", ""))))
                .isInstanceOf(LoginRefusedException.class)
                .hasMessage("the token's role template \"{a}{b}\" gives an empty role name");
    }

    @Test
    void configErrorsNameTheirPath() {
        assertThatThrownBy(() -> mapping(Map.of("rol", "email")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[0].issuers[1].claims.rol: unknown setting; claims knows role, subject, groups, display and role_case");
        assertThatThrownBy(() -> mapping(Map.of("role_case", "upper")))
                .hasMessage("plugins[0].issuers[1].claims.role_case: expected lower or as-is, found 'upper'");
        assertThatThrownBy(() -> mapping(Map.of("role", "{given_name")))
                .hasMessageStartingWith("plugins[0].issuers[1].claims.role: has a '{' without its '}'");
        assertThatThrownBy(() -> mapping(Map.of("role", "given_name}")))
                .hasMessageStartingWith("plugins[0].issuers[1].claims.role: has a '}' without its '{'");
        assertThatThrownBy(() -> mapping(Map.of("role", "x{}")))
                .hasMessageStartingWith("plugins[0].issuers[1].claims.role: has an empty placeholder {}");
        assertThatThrownBy(() -> mapping(Map.of("role", "{a{b}}")))
                .hasMessageStartingWith("plugins[0].issuers[1].claims.role: has a '{' inside a placeholder");
        assertThatThrownBy(() -> mapping(Map.of("groups", "realm_access..roles")))
                .hasMessageStartingWith("plugins[0].issuers[1].claims.groups: has an empty part in 'realm_access..roles'");
        assertThatThrownBy(() -> mapping(Map.of("subject", " ")))
                .hasMessageStartingWith("plugins[0].issuers[1].claims.subject: is empty");
        assertThatThrownBy(() -> mapping(Map.of("display", List.of("a"))))
                .hasMessage("plugins[0].issuers[1].claims.display: expected a single value, found a list");
    }
}
