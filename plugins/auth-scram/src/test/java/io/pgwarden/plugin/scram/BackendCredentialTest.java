package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.scram.Md5Password;
import io.pgwarden.scram.ScramSha256;
import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendCredentialTest {

    @Test
    void ruleWithAFixedCredentialIsLeftAlone() {
        FakeExchange exchange = new FakeExchange();
        exchange.defaultLogin = new BackendLogin("pg", "appdb", "alice", Credential.password("svc"), Map.of(), List.of());
        assertThat(BackendCredential.login(exchange, Credential.password("pw"))).isNull();
    }

    @Test
    void ruleWithAnotherUserIsLeftAlone() {
        FakeExchange exchange = new FakeExchange();
        exchange.defaultLogin = new BackendLogin("pg", "appdb", "service", Credential.none(), Map.of(), List.of());
        assertThat(BackendCredential.login(exchange, Credential.password("pw"))).isNull();
    }

    @Test
    void clientsOwnUserGetsTheCredentialAndKeepsTheRestOfTheDefaultLogin() {
        FakeExchange exchange = new FakeExchange();
        exchange.defaultLogin = new BackendLogin("pg2", "otherdb", "alice", Credential.none(), Map.of("application_name", "app"),
                List.of("SET x = 1"));
        BackendLogin login = BackendCredential.login(exchange, Credential.password("pw"));
        assertThat(login).isEqualTo(new BackendLogin("pg2", "otherdb", "alice", Credential.password("pw"),
                Map.of("application_name", "app"), List.of("SET x = 1")));
    }

    @Test
    void plaintextEntryGivesThePasswordWhateverTheMethod() {
        StoredSecret plain = StoredSecret.parse("pw", 4096);
        assertThat(BackendCredential.afterScram(plain, new byte[32])).isEqualTo(Credential.password("pw"));
        assertThat(BackendCredential.afterMd5(plain)).isEqualTo(Credential.password("pw"));
    }

    @Test
    void scramEntryGivesKeysWhoseClientKeyMatchesTheVerifier() {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        ScramVerifier verifier = ScramVerifier.derive("pw", salt, 4096);
        byte[] clientKey = ScramSha256.clientKey(ScramSha256.hi("pw".getBytes(StandardCharsets.UTF_8), salt, 4096));

        Credential.ScramKeys keys = (Credential.ScramKeys) BackendCredential.afterScram(new StoredSecret.Scram(verifier), clientKey);

        assertThat(verifier.matchesClientKey(keys.clientKey())).isTrue();
        assertThat(keys.serverKey()).isEqualTo(verifier.serverKey());
    }

    @Test
    void md5EntryGivesTheHash() {
        String hash = Md5Password.hash("alice", "pw");
        assertThat(BackendCredential.afterMd5(new StoredSecret.Md5(hash))).isEqualTo(new Credential.Md5Hash(hash));
    }
}
