package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.plugin.oidc.TestCertificateAuthority.KeyType;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientCertStrategyTest {

    private static final TestCertificateAuthority CA = TestCertificateAuthority.create(KeyType.EC);

    @TempDir
    Path directory;

    private final StrategyTestServices services = new StrategyTestServices().env("CA_KEY", CA.pkcs8KeyPem());

    private PluginConfig plugin(Map<String, Object> extra) {
        Map<String, Object> clientCert = new HashMap<>(Map.of("ca_cert", CA.writeCertificate(directory).toString(),
                "ca_key", "${env:CA_KEY}"));
        clientCert.putAll(extra);
        return new PluginConfig("plugins[1]", Map.of("type", "oidc", "client_cert", clientCert));
    }

    private ClientCertStrategy strategy(Map<String, Object> extra) {
        return ClientCertStrategy.fromConfig(plugin(extra), services).orElseThrow();
    }

    static PersonIdentity person(String role, String... groups) {
        return new PersonIdentity(role, "sub-" + role, role + "@example.com", Set.of(groups), "https://idp.example.com",
                Instant.now().plusSeconds(300), Map.of("sub", "sub-" + role));
    }

    static BackendLogin ruleDefault() {
        return new BackendLogin("main", "app", "startup-user", Credential.none(), Map.of("application_name", "psql"),
                List.of("SET search_path = app"));
    }

    private static X509Certificate leaf(BackendLogin login) throws Exception {
        return CertificateMinterTest.certificates(((Credential.ClientCertificate) login.credential()).certificatePem()).get(0);
    }

    @Test
    void loginIsThePersonsRoleWithACertificateChainAndKey() throws Exception {
        BackendLogin login = strategy(Map.of()).login(person("alice"), ruleDefault());

        assertThat(login.user()).isEqualTo("alice");
        assertThat(login.backend()).isEqualTo("main");
        assertThat(login.database()).isEqualTo("app");
        assertThat(login.parameters()).isEqualTo(Map.of("application_name", "psql"));
        assertThat(login.sessionInit()).containsExactly("SET search_path = app");
        Credential.ClientCertificate credential = (Credential.ClientCertificate) login.credential();
        List<X509Certificate> chain = CertificateMinterTest.certificates(credential.certificatePem());
        assertThat(chain).hasSize(2);
        assertThat(chain.get(1)).isEqualTo(CA.certificate);
        assertThat(chain.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=alice");
        CertificateMinterTest.validate(chain, CA.certificate, services.clock.instant());
        assertThat(CertificateMinterTest.privateKey(credential.privateKeyPem()).getAlgorithm()).isEqualTo("EC");
        assertThat(chain.get(0).getNotAfter().toInstant()).isBeforeOrEqualTo(services.clock.instant().plus(Duration.ofHours(1)))
                .isAfter(services.clock.instant().plus(Duration.ofMinutes(59)));
    }

    @Test
    void sameCertificateUntilRenewBeforeThenANewOne() throws Exception {
        ClientCertStrategy strategy = strategy(Map.of("validity", "1h", "renew_before", "10m"));
        BackendLogin first = strategy.login(person("alice"), ruleDefault());

        services.clock.advance(Duration.ofMinutes(49).plusSeconds(59));
        BackendLogin stillCached = strategy.login(person("alice"), ruleDefault());
        assertThat(stillCached.credential()).isEqualTo(first.credential());
        assertThat(stillCached).isEqualTo(first);

        services.clock.advance(Duration.ofSeconds(1));
        BackendLogin renewed = strategy.login(person("alice"), ruleDefault());
        assertThat(renewed.credential()).isNotEqualTo(first.credential());
        assertThat(leaf(renewed).getNotAfter()).isAfter(leaf(first).getNotAfter());
        assertThat(leaf(renewed).getSubjectX500Principal().getName()).isEqualTo("CN=alice");

        services.clock.advance(Duration.ofMinutes(1));
        assertThat(strategy.login(person("alice"), ruleDefault()).credential()).isEqualTo(renewed.credential());
    }

    @Test
    void eachPersonHasTheirOwnCertificate() throws Exception {
        ClientCertStrategy strategy = strategy(Map.of());
        BackendLogin alice = strategy.login(person("alice"), ruleDefault());
        BackendLogin bob = strategy.login(person("bob"), ruleDefault());

        assertThat(bob.user()).isEqualTo("bob");
        assertThat(bob.credential()).isNotEqualTo(alice.credential());
        assertThat(leaf(bob).getSubjectX500Principal().getName()).isEqualTo("CN=bob");
        assertThat(strategy.login(person("alice"), ruleDefault()).credential()).isEqualTo(alice.credential());
    }

    @Test
    void simultaneousLoginsOfOnePersonShareOneCertificate() throws Exception {
        ClientCertStrategy strategy = strategy(Map.of());
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Credential>> logins = threads.invokeAll(java.util.Collections.nCopies(16,
                    () -> strategy.login(person("alice"), ruleDefault()).credential()));
            Credential first = logins.get(0).get();
            for (Future<Credential> login : logins) {
                assertThat(login.get()).isEqualTo(first);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void noSectionNoStrategy() {
        assertThat(ClientCertStrategy.fromConfig(new PluginConfig("plugins[1]", Map.of("type", "oidc")), services)).isEmpty();
        assertThat(strategy(Map.of()).name()).isEqualTo("client-cert");
    }

    @Test
    void configErrorsNameTheirPath() {
        assertThatThrownBy(() -> strategy(Map.of("validity", "5m")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[1].client_cert.renew_before: (default 10m) must be less than validity (300s), or every "
                        + "login would mint a new certificate");
        assertThatThrownBy(() -> strategy(Map.of("validity", "10m", "renew_before", "10m")))
                .hasMessageStartingWith("plugins[1].client_cert.renew_before: must be less than validity (600s)");
        assertThatThrownBy(() -> strategy(Map.of("validity", "0s")))
                .hasMessage("plugins[1].client_cert.validity: must be more than 0");
        assertThatThrownBy(() -> strategy(Map.of("validity", "an hour")))
                .hasMessageStartingWith("plugins[1].client_cert.validity: expected a duration");
        assertThatThrownBy(() -> strategy(Map.of("ca_crt", "x")))
                .hasMessage("plugins[1].client_cert.ca_crt: unknown setting; client_cert knows ca_cert, ca_key, validity and "
                        + "renew_before");
        assertThatThrownBy(() -> ClientCertStrategy.fromConfig(new PluginConfig("plugins[1]", Map.of("client_cert", "yes")),
                services))
                .hasMessage("plugins[1].client_cert: expected a map, found 'yes'");
    }

    @Test
    void shortValidityWithShortRenewBefore() {
        ClientCertStrategy strategy = strategy(Map.of("validity", "20s", "renew_before", "5s"));
        Credential first = strategy.login(person("alice"), ruleDefault()).credential();

        services.clock.advance(Duration.ofSeconds(14));
        assertThat(strategy.login(person("alice"), ruleDefault()).credential()).isEqualTo(first);
        services.clock.advance(Duration.ofSeconds(1));
        assertThat(strategy.login(person("alice"), ruleDefault()).credential()).isNotEqualTo(first);
    }
}
