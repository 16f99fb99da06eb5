package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.Metrics;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The counter {@code pgwarden.oidc.provisioning} by {@code action}: roles created, memberships granted and revoked,
 * logins refused because the role is not pgwarden's, roles deprovisioned, and provisioning that failed. Every series
 * exists from the start, at zero.
 */
final class ProvisioningMetrics {

    static final String NAME = "pgwarden.oidc.provisioning";

    /** What is counted. */
    enum Action {
        /** A role was created. */
        CREATED("created"),
        /** A membership in a managed group role was granted. */
        GRANTED("granted"),
        /** A membership in a managed group role was revoked. */
        REVOKED("revoked"),
        /** A login was refused: the role exists and is not managed, or its name is reserved. */
        REFUSED("refused"),
        /** A role was set NOLOGIN because its person lost every allowed group. */
        DEPROVISIONED("deprovisioned"),
        /** The admin connection or a statement failed. */
        FAILED("failed");

        private final String tag;

        Action(String tag) {
            this.tag = tag;
        }

        /** The {@code action} tag's value. */
        String tag() {
            return tag;
        }
    }

    private final Map<Action, Metrics.Counter> counters = new EnumMap<>(Action.class);

    /**
     * Creates every counter.
     *
     * @param metrics the registry
     */
    ProvisioningMetrics(Metrics metrics) {
        Objects.requireNonNull(metrics, "metrics");
        for (Action action : Action.values()) {
            counters.put(action, metrics.counter(NAME, "roles and memberships changed by oidc provisioning", "action", action.tag()));
        }
    }

    /**
     * Counts.
     *
     * @param action what happened
     * @param times how many times
     */
    void count(Action action, int times) {
        Metrics.Counter counter = counters.get(action);
        for (int i = 0; i < times; i++) {
            counter.increment();
        }
    }
}
