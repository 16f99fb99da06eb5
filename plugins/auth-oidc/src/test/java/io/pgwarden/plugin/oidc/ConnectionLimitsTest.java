package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.testkit.spi.CapturingLogger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionLimitsTest {

    private static final String ISSUER = "https://login.example.com/realms/main";
    private static final BackendLogin LOGIN = new BackendLogin("main", "app", "app_ro", Credential.none(), Map.of(), List.of());

    private final RecordingMetrics metrics = new RecordingMetrics();
    private final SessionCounts counts = new SessionCounts();

    @TempDir
    Path directory;

    private static Identity person(String role, String subject, String method, String... groups) {
        return new Identity(subject, role, role + "@example.com", Set.of(groups), method, Map.of("iss", ISSUER, "sub", subject));
    }

    private static FakeAuthContext session(Identity identity) {
        return new FakeAuthContext(identity, LOGIN);
    }

    private static PluginConfig plugin(int perPerson, Map<String, Integer> perGroup) {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("max_connections_per_person", perPerson);
        limits.put("max_connections_per_group", perGroup);
        return new PluginConfig("plugins[1]", Map.of("limits", limits));
    }

    private ConnectionLimits limits(int perPerson, Map<String, Integer> perGroup) {
        return ConnectionLimits.fromConfig(plugin(perPerson, perGroup), metrics, counts);
    }

    private long refusals(String limit) {
        return metrics.count(ConnectionLimits.REFUSALS + "{limit=" + limit + "}");
    }

    @Test
    void theNextSessionOfAPersonAtTheLimitIsRefusedWith53300NamingTheLimit() {
        ConnectionLimits limits = limits(2, Map.of());
        Identity alice = person("alice", "sub-alice", OidcAuthenticator.METHOD);

        assertThat(limits.acquire(session(alice))).isSameAs(Decision.proceed());
        assertThat(limits.acquire(session(alice))).isSameAs(Decision.proceed());
        Decision refused = limits.acquire(session(alice));

        assertThat(refused).isEqualTo(Decision.reject("53300",
                "too many connections for alice@example.com: max_connections_per_person is 2",
                "close another of your sessions, or ask the administrator to raise max_connections_per_person"));
        assertThat(refusals("max_connections_per_person")).isEqualTo(1);
        assertThat(refusals("max_connections_per_group")).isZero();
        assertThat(limits.acquire(session(person("bob", "sub-bob", OidcAuthenticator.METHOD)))).isSameAs(Decision.proceed());
    }

    @Test
    void endingASessionGivesItsSlotBackOnceAndLetsTheNextIn() {
        ConnectionLimits limits = limits(1, Map.of("analysts", 5));
        Identity alice = person("alice", "sub-alice", OidcAuthenticator.METHOD, "analysts");
        FakeAuthContext first = session(alice);
        assertThat(limits.acquire(first)).isSameAs(Decision.proceed());
        assertThat(limits.acquire(session(alice))).isInstanceOf(Decision.Reject.class);

        limits.release(first);
        limits.release(first);
        FakeAuthContext refusedEarlier = session(alice);
        limits.release(refusedEarlier);

        assertThat(first.attributes).isEmpty();
        assertThat(counts.group("analysts")).isZero();
        FakeAuthContext second = session(alice);
        assertThat(limits.acquire(second)).isSameAs(Decision.proceed());
        assertThat(counts.group("analysts")).isEqualTo(1);
    }

    @Test
    void aGroupLimitCountsAllItsPeopleAndOnlyConfiguredGroupsAreCounted() {
        ConnectionLimits limits = limits(0, Map.of("analysts", 2));
        Identity alice = person("alice", "sub-alice", OidcAuthenticator.METHOD, "analysts", "staff");
        Identity bob = person("bob", "sub-bob", OAuthBearerAuthenticator.METHOD, "analysts");
        assertThat(limits.acquire(session(alice))).isSameAs(Decision.proceed());
        assertThat(limits.acquire(session(bob))).isSameAs(Decision.proceed());

        Decision refused = limits.acquire(session(person("carol", "sub-carol", OidcAuthenticator.METHOD, "analysts")));

        assertThat(refused).isInstanceOf(Decision.Reject.class);
        Decision.Reject reject = (Decision.Reject) refused;
        assertThat(reject.sqlState()).isEqualTo("53300");
        assertThat(reject.message()).isEqualTo("too many connections for group analysts: max_connections_per_group is 2");
        assertThat(refusals("max_connections_per_group")).isEqualTo(1);
        assertThat(counts.group("staff")).isZero();
        assertThat(limits.acquire(session(person("carol", "sub-carol", OidcAuthenticator.METHOD, "staff")))).isSameAs(Decision.proceed());
    }

    @Test
    void aPersonIsTheirIssuerAndSubjectNotTheirRoleName() {
        ConnectionLimits limits = limits(1, Map.of());
        assertThat(limits.acquire(session(person("alice", "sub-1", OidcAuthenticator.METHOD)))).isSameAs(Decision.proceed());

        assertThat(limits.acquire(session(person("alice.renamed", "sub-1", OAuthBearerAuthenticator.METHOD))))
                .isInstanceOf(Decision.Reject.class);
        assertThat(limits.acquire(session(person("alice", "sub-2", OidcAuthenticator.METHOD)))).isSameAs(Decision.proceed());
        Identity otherIssuer = new Identity("sub-1", "alice", "alice", Set.of(), OidcAuthenticator.METHOD,
                Map.of("iss", "https://other.example.com"));
        assertThat(limits.acquire(session(otherIssuer))).isSameAs(Decision.proceed());
    }

    @Test
    void sessionsOfOtherMethodsAreNeitherCountedNorRefused() {
        ConnectionLimits limits = limits(1, Map.of("analysts", 1));
        Identity scram = new Identity("alice", "alice", "alice", Set.of("analysts"), "scram-sha-256", Map.of());

        for (int i = 0; i < 3; i++) {
            FakeAuthContext context = session(scram);
            assertThat(limits.acquire(context)).isSameAs(Decision.proceed());
            assertThat(context.attributes).isEmpty();
        }
        assertThat(counts.group("analysts")).isZero();
    }

    @Test
    void withoutALimitNothingIsCountedAndNoCounterIsMade() {
        ConnectionLimits limits = ConnectionLimits.fromConfig(new PluginConfig("plugins[0]", Map.of()), metrics, counts);
        FakeAuthContext context = session(person("alice", "sub-alice", OidcAuthenticator.METHOD, "analysts"));

        assertThat(limits).isSameAs(ConnectionLimits.NONE);
        assertThat(limits.acquire(context)).isSameAs(Decision.proceed());
        limits.release(context);
        assertThat(context.attributes).isEmpty();
        assertThat(metrics.counts()).isEmpty();
    }

    @Test
    void theRefusalCountersExistBeforeTheFirstRefusal() {
        limits(3, Map.of());

        assertThat(refusals("max_connections_per_person")).isZero();
        assertThat(refusals("max_connections_per_group")).isZero();
    }

    @Test
    void aSessionThePluginItselfRefusesAfterTakingItsSlotGetsItBackAtItsEnd() {
        OidcAuthPlugin plugin = OidcAuthPlugin.create(List.of(), () -> { }, new CapturingLogger(), null,
                new SessionExpiry(true, Duration.ZERO), limits(1, Map.of()));
        // No exp claim: session_expiry refuses the session after the limits let it in.
        FakeAuthContext refused = session(person("alice", "sub-alice", OidcAuthenticator.METHOD));

        assertThat(plugin.onAuth(refused)).isEqualTo(Decision.reject("28000", SessionExpiry.NO_EXPIRY, null));
        plugin.onSessionEnd(refused);

        Identity alice = new Identity("sub-alice", "alice", "alice@example.com", Set.of(), OidcAuthenticator.METHOD,
                Map.of("iss", ISSUER, "exp", 1_800_000_000L));
        FakeAuthContext admitted = session(alice);
        assertThat(plugin.onAuth(admitted)).isSameAs(Decision.proceed());
        assertThat(plugin.onAuth(session(alice))).isInstanceOf(Decision.Reject.class);
    }

    @Test
    void countsOfAPluginEntryOutliveAReloadAndSessionsOfTheOldInstanceReleaseIntoThem() throws Exception {
        OidcAuthFactory factory = new OidcAuthFactory();
        FactoryTestServices services = new FactoryTestServices(Map.of("APP_RO_PASSWORD", "app-secret"));
        Identity alice = person("alice", "sub-alice", OidcAuthenticator.METHOD);
        FakeAuthContext beforeReload = session(alice);
        try (Interceptor old = factory.create(factoryConfig("plugins[0]", 1), services)) {
            assertThat(old.onAuth(beforeReload)).isSameAs(Decision.proceed());

            try (Interceptor reloaded = factory.create(factoryConfig("plugins[0]", 1), services);
                 Interceptor otherEntry = factory.create(factoryConfig("plugins[1]", 1), services);
                 Interceptor otherProxy = new OidcAuthFactory().create(factoryConfig("plugins[0]", 1), services)) {
                assertThat(reloaded.onAuth(session(alice))).isInstanceOf(Decision.Reject.class);
                assertThat(otherEntry.onAuth(session(alice))).isSameAs(Decision.proceed());
                assertThat(otherProxy.onAuth(session(alice))).isSameAs(Decision.proceed());

                old.onSessionEnd(beforeReload);
                assertThat(reloaded.onAuth(session(alice))).isSameAs(Decision.proceed());
            }
        }
    }

    /** A section the factory accepts: keys from a file, one service account, a person limit. */
    private PluginConfig factoryConfig(String path, int perPerson) throws Exception {
        Path jwks = directory.resolve("jwks.json");
        if (!Files.exists(jwks)) {
            Files.writeString(jwks, new JWKSet(new RSAKeyGenerator(2048).keyID("k1").generate().toPublicJWK()).toString(),
                    StandardCharsets.UTF_8);
        }
        Map<String, Object> values = new HashMap<>();
        values.put("issuers", List.of(Map.of("issuer", ISSUER, "discovery", false, "jwks_file", jwks.toString(),
                "audience", List.of("pgwarden"))));
        values.put("service_accounts", List.of(Map.of("default", true, "user", "app_ro", "password", "${env:APP_RO_PASSWORD}")));
        values.put("limits", Map.of("max_connections_per_person", perPerson));
        return new PluginConfig(path, values);
    }
}
