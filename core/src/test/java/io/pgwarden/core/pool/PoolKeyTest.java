package io.pgwarden.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolKeyTest {

    private static BackendLogin login(String user, Credential credential) {
        return new BackendLogin("main", "app", user, credential, Map.of(), List.of());
    }

    @Test
    void equalLoginsShareAKey() {
        PoolKey first = PoolKey.of(login("alice", Credential.password("s3cret")), false);
        PoolKey second = PoolKey.of(login("alice", Credential.password("s3cret")), false);

        assertThat(second).isEqualTo(first).hasSameHashCodeAs(first);
        assertThat(first.credential()).matches("[0-9a-f]{32}");
    }

    @Test
    void startupParametersAndSessionInitAreNotPartOfTheKey() {
        BackendLogin plain = login("alice", Credential.password("s3cret"));
        BackendLogin decorated = plain.withParameters(Map.of("application_name", "x")).withSessionInit(List.of("SET ROLE r"));

        assertThat(PoolKey.of(decorated, false)).isEqualTo(PoolKey.of(plain, false));
        assertThat(PoolKey.of(decorated, false).role()).isNull();
    }

    @Test
    void theRoleParameterSplitsPoolsOfOneLogin() {
        BackendLogin shared = login("pgwarden_sso", Credential.password("s3cret"));
        PoolKey alice = PoolKey.of(shared.withParameters(Map.of("role", "alice", "application_name", "a")), false);
        PoolKey aliceElsewhere = PoolKey.of(shared.withParameters(Map.of("role", "alice", "application_name", "b")), false);
        PoolKey bob = PoolKey.of(shared.withParameters(Map.of("role", "bob")), false);
        PoolKey none = PoolKey.of(shared, false);

        assertThat(alice.role()).isEqualTo("alice");
        assertThat(aliceElsewhere).isEqualTo(alice).hasSameHashCodeAs(alice);
        assertThat(bob).isNotEqualTo(alice).isNotEqualTo(none);
        assertThat(none).isNotEqualTo(alice);
        assertThat(alice.toString()).isEqualTo("main/app/pgwarden_sso role=alice");
        assertThat(PoolKey.of(shared.withParameters(Map.of("role", "bob")), true).toString())
                .isEqualTo("main/app/pgwarden_sso role=bob (passthrough)");
    }

    @Test
    void onlyTheExactParameterNameRoleEntersTheKey() {
        // Other spellings are refused by ClientSettings; they must not make a pool of their own either.
        PoolKey key = PoolKey.of(login("alice", Credential.none()).withParameters(Map.of("Role", "bob")), false);

        assertThat(key.role()).isNull();
    }

    @Test
    void anotherPasswordUserDatabaseOrBackendIsAnotherPool() {
        PoolKey key = PoolKey.of(login("alice", Credential.password("s3cret")), false);

        assertThat(PoolKey.of(login("alice", Credential.password("S3cret")), false)).isNotEqualTo(key);
        assertThat(PoolKey.of(login("bob", Credential.password("s3cret")), false)).isNotEqualTo(key);
        assertThat(PoolKey.of(new BackendLogin("main", "other", "alice", Credential.password("s3cret"), Map.of(), List.of()),
                false)).isNotEqualTo(key);
        assertThat(PoolKey.of(new BackendLogin("replica", "app", "alice", Credential.password("s3cret"), Map.of(), List.of()),
                false)).isNotEqualTo(key);
    }

    @Test
    void passthroughLoginsArePooledApart() {
        PoolKey proxied = PoolKey.of(login("alice", Credential.none()), false);
        PoolKey relayed = PoolKey.of(login("alice", Credential.none()), true);

        assertThat(relayed).isNotEqualTo(proxied);
        assertThat(relayed.relayed()).isTrue();
        assertThat(relayed.toString()).isEqualTo("main/app/alice (passthrough)");
        assertThat(proxied.toString()).isEqualTo("main/app/alice");
    }

    @Test
    void noCredentialIsNamedNone() {
        assertThat(PoolKey.of(login("alice", Credential.none()), true).credential()).isEqualTo("none");
    }

    @Test
    void credentialKindsWithTheSameBytesGetDifferentDigests() {
        byte[] key = new byte[32];
        String password = "\0".repeat(64); // the same bytes as the two keys
        PoolKey scram = PoolKey.of(login("alice", new Credential.ScramKeys(key, key)), false);
        PoolKey text = PoolKey.of(login("alice", Credential.password(password)), false);
        PoolKey certificate = PoolKey.of(login("alice", new Credential.ClientCertificate(password, "")), false);

        assertThat(scram.credential()).isNotEqualTo(text.credential()).isNotEqualTo(certificate.credential());
        assertThat(text.credential()).isNotEqualTo(certificate.credential());
    }

    @Test
    void scramKeysAndCertificatesAreComparedByContent() {
        byte[] client = new byte[32];
        byte[] server = new byte[32];
        server[31] = 1;
        PoolKey keys = PoolKey.of(login("alice", new Credential.ScramKeys(client, server)), false);

        assertThat(PoolKey.of(login("alice", new Credential.ScramKeys(client.clone(), server.clone())), false)).isEqualTo(keys);
        assertThat(PoolKey.of(login("alice", new Credential.ScramKeys(server, client)), false)).isNotEqualTo(keys);
        assertThat(PoolKey.of(login("alice", new Credential.ClientCertificate("cert", "key")), false))
                .isEqualTo(PoolKey.of(login("alice", new Credential.ClientCertificate("cert", "key")), false))
                .isNotEqualTo(PoolKey.of(login("alice", new Credential.ClientCertificate("cert", "other key")), false));
    }

    @Test
    void theKeyNeverShowsTheSecret() {
        PoolKey key = PoolKey.of(login("alice", Credential.password("s3cret-password")), false);

        assertThat(key.toString()).doesNotContain("s3cret");
        assertThat(key.credential()).doesNotContain("s3cret");
    }

    @Test
    void serversStartWithTheSessionsLoginAndOfItsParametersOnlyTheRole() {
        BackendLogin session = new BackendLogin("main", "app", "sso", Credential.password("pw"),
                Map.of("role", "alice", "application_name", "psql", "TimeZone", "UTC"), List.of("SET pgwarden.subject = 'x'"));

        BackendLogin server = PoolRegistry.serverLogin(session);

        assertThat(server).isEqualTo(new BackendLogin("main", "app", "sso", Credential.password("pw"), Map.of("role", "alice"),
                List.of()));
        assertThat(PoolKey.of(server, false)).isEqualTo(PoolKey.of(session, false));
        assertThat(PoolRegistry.serverLogin(session.withParameters(Map.of("application_name", "psql"))).parameters()).isEmpty();
    }
}
