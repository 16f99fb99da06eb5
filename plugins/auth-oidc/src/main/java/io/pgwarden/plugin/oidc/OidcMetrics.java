package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.Metrics;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The plugin's counters: {@code pgwarden.oidc.failures} by issuer and reason, and
 * {@code pgwarden.oidc.logins} by issuer. The issuer tag is a configured issuer or {@value #UNKNOWN}
 * (the token was not read, or names no configured issuer), so a stranger cannot create series. Every
 * counter of the configured issuers is created up front: a scrape shows zeros, not missing series.
 */
final class OidcMetrics {

    static final String FAILURES = "pgwarden.oidc.failures";
    static final String LOGINS = "pgwarden.oidc.logins";
    /** The issuer tag when the token's issuer is not known. */
    static final String UNKNOWN = "unknown";

    /** Refusals that are not about the token itself; the {@code reason} tag beside the token's {@link TokenRejectedException.Reason}s. */
    enum Refusal {
        /** A token as password without client TLS. */
        TLS_REQUIRED("tls_required"),
        /** The claim mapping found no identity (no role claim, say). */
        IDENTITY("identity"),
        /** The startup user is not the person's role. */
        STARTUP_USER("startup_user"),
        /** allowed_groups or databases refused. */
        AUTHORIZATION("authorization"),
        /** The strategy or the identity propagation found no login. */
        LOGIN("login"),
        /** Provisioning refused the person's role (not managed by pgwarden) or failed. */
        PROVISIONING("provisioning"),
        /** An unexpected error. */
        ERROR("error");

        private final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }

        String tag() {
            return tag;
        }
    }

    private final Metrics metrics;
    private final Set<String> issuers;
    private final Map<String, Metrics.Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, Metrics.Counter> logins = new ConcurrentHashMap<>();

    /**
     * Creates the counters of the given issuers.
     *
     * @param metrics the registry
     * @param issuers the configured issuers
     */
    OidcMetrics(Metrics metrics, Collection<String> issuers) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.issuers = Set.copyOf(issuers);
        for (String issuer : this.issuers) {
            createAll(issuer);
        }
        createAll(UNKNOWN);
    }

    /**
     * Counts a refused token.
     *
     * @param issuer the issuer the token names, or {@code null} when not read
     * @param reason why
     */
    void rejected(String issuer, TokenRejectedException.Reason reason) {
        failure(tag(issuer), reason.tag()).increment();
    }

    /**
     * Counts a refusal that is not about the token.
     *
     * @param issuer the issuer, or {@code null} when not known
     * @param refusal why
     */
    void refused(String issuer, Refusal refusal) {
        failure(tag(issuer), refusal.tag()).increment();
    }

    /**
     * Counts a person let in.
     *
     * @param issuer the issuer of their token
     */
    void login(String issuer) {
        loginCounter(tag(issuer)).increment();
    }

    private String tag(String issuer) {
        return issuer != null && issuers.contains(issuer) ? issuer : UNKNOWN;
    }

    private void createAll(String issuer) {
        for (TokenRejectedException.Reason reason : TokenRejectedException.Reason.values()) {
            failure(issuer, reason.tag());
        }
        for (Refusal refusal : Refusal.values()) {
            failure(issuer, refusal.tag());
        }
        loginCounter(issuer);
    }

    private Metrics.Counter failure(String issuer, String reason) {
        return failures.computeIfAbsent(issuer + '\n' + reason,
                key -> metrics.counter(FAILURES, "tokens and people refused by method oidc", "issuer", issuer, "reason", reason));
    }

    private Metrics.Counter loginCounter(String issuer) {
        return logins.computeIfAbsent(issuer, key -> metrics.counter(LOGINS, "people let in by method oidc", "issuer", issuer));
    }
}
