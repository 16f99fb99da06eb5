package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Strategy {@code client-cert}: the backend login is the person's own role, proven by a client
 * certificate minted for it. One certificate per role is cached and reused (so the person's pooled
 * connections keep one pool key) until it has less than {@code renew_before} left.
 */
final class ClientCertStrategy implements LoginStrategy {

    static final String NAME = OidcAuthSettings.CLIENT_CERT;
    static final Duration DEFAULT_VALIDITY = Duration.ofHours(1);
    static final Duration DEFAULT_RENEW_BEFORE = Duration.ofMinutes(10);

    private static final Set<String> KEYS = Set.of("ca_cert", "ca_key", "validity", "renew_before");

    private final CertificateMinter minter;
    private final Duration validity;
    private final Duration renewBefore;
    private final Clock clock;
    private final ConcurrentMap<String, CertificateMinter.Minted> certificates = new ConcurrentHashMap<>();

    ClientCertStrategy(CertificateMinter minter, Duration validity, Duration renewBefore, Clock clock) {
        this.minter = Objects.requireNonNull(minter, "minter");
        this.validity = Objects.requireNonNull(validity, "validity");
        this.renewBefore = Objects.requireNonNull(renewBefore, "renewBefore");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Reads the {@code client_cert} section and loads the CA.
     *
     * @param pluginSection the plugin's section ({@code plugins[i]})
     * @param services for the CA key's secret reference and the clock
     * @return the strategy, or empty when there is no {@code client_cert} section
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static Optional<ClientCertStrategy> fromConfig(PluginConfig pluginSection, Services services) {
        Objects.requireNonNull(pluginSection, "pluginSection");
        Objects.requireNonNull(services, "services");
        if (!pluginSection.has(OidcAuthSettings.CLIENT_CERT_SECTION)) {
            return Optional.empty();
        }
        PluginConfig section = pluginSection.section(OidcAuthSettings.CLIENT_CERT_SECTION);
        for (String key : section.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(section.pathOf(key),
                        "unknown setting; client_cert knows ca_cert, ca_key, validity and renew_before");
            }
        }
        Duration validity = section.duration("validity", DEFAULT_VALIDITY);
        if (validity.isZero()) {
            throw new PluginConfigException(section.pathOf("validity"), "must be more than 0");
        }
        Duration renewBefore = section.duration("renew_before", DEFAULT_RENEW_BEFORE);
        if (renewBefore.compareTo(validity) >= 0) {
            throw new PluginConfigException(section.pathOf("renew_before"), (section.has("renew_before") ? "" : "(default 10m) ")
                    + "must be less than validity (" + validity.toSeconds() + "s), or every login would mint a new certificate");
        }
        CaKeyPair ca = CaKeyPair.load(section, services);
        return Optional.of(new ClientCertStrategy(new CertificateMinter(ca), validity, renewBefore, services.clock()));
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The rule's login as the person's role with their certificate.
     *
     * @param person the person
     * @param ruleDefault the rule's default login
     * @return the login: user = role, credential = the certificate chain (leaf, then CA) and its key
     */
    @Override
    public BackendLogin login(PersonIdentity person, BackendLogin ruleDefault) {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(ruleDefault, "ruleDefault");
        CertificateMinter.Minted minted = certificate(person.role());
        return ruleDefault.withUser(person.role(), new Credential.ClientCertificate(minted.chainPem(), minted.privateKeyPem()));
    }

    /**
     * The cached certificate for a role, or a new one when there is none or it has less than
     * {@code renew_before} left.
     */
    CertificateMinter.Minted certificate(String role) {
        Instant now = clock.instant();
        CertificateMinter.Minted cached = certificates.get(role);
        if (cached != null && fresh(cached, now)) {
            return cached;
        }
        // compute() keeps two simultaneous logins of one person from minting two certificates.
        CertificateMinter.Minted minted = certificates.compute(role,
                (name, current) -> current != null && fresh(current, now) ? current : minter.mint(name, now, validity));
        if (minted != cached) {
            // Drop certificates of people who have not logged in since theirs expired.
            certificates.values().removeIf(each -> !each.notAfter().isAfter(now));
        }
        return minted;
    }

    private boolean fresh(CertificateMinter.Minted minted, Instant now) {
        return now.isBefore(minted.notAfter().minus(renewBefore));
    }

    @Override
    public String toString() {
        return "ClientCertStrategy[validity=" + validity + ", renew_before=" + renewBefore + "]";
    }
}
