package io.pgwarden.plugin.oidc;

/** Recording metrics with this plugin's counters by name. */
final class RecordingMetrics extends io.pgwarden.testkit.spi.RecordingMetrics {

    long failures(String issuer, String reason) {
        return count(OidcMetrics.FAILURES + "{issuer=" + issuer + ",reason=" + reason + "}");
    }

    long logins(String issuer) {
        return count(OidcMetrics.LOGINS + "{issuer=" + issuer + "}");
    }

    /** The sum of every failure counter. */
    long allFailures() {
        return counts().entrySet().stream().filter(e -> e.getKey().startsWith(OidcMetrics.FAILURES + "{"))
                .mapToLong(e -> e.getValue().get()).sum();
    }
}
