package io.pgwarden.core.config;

import java.util.List;

/**
 * The auth rules ({@code auth.rules:}), tried in order like pg_hba.conf: the first rule whose
 * database, user, address and TLS match picks the method.
 *
 * @param rules the rules
 */
public record AuthConfig(List<AuthRule> rules) {

    /** Copies the list. */
    public AuthConfig {
        rules = List.copyOf(rules);
    }
}
