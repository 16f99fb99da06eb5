package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.SessionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code limits} section at work: how many sessions one person, and the people of one group
 * together, may hold at once. Counted in onAuth for identities of the methods {@code oidc} and
 * {@code oauth}; a person is their token's issuer and subject, so two e-mail addresses of one
 * account are one person and a reused role name of another issuer is not.
 *
 * <p>A session that gets its slots keeps the {@link SessionCounts.Lease} in its attributes, and
 * onSessionEnd gives it back. The core calls onSessionEnd once for every session that ends,
 * whatever ended it (a later interceptor's refusal, a failed backend login, a client that left,
 * expiry, shutdown), so every slot comes back exactly once. The counts belong to the plugin entry,
 * not to this instance (see {@link OidcAuthFactory}): an instance that a reload makes counts on
 * where the last one stopped, and a session that the old instance let in gives its slots back to
 * the same counts.
 */
final class ConnectionLimits {

    /** Without a {@code limits} section: nothing is counted. */
    static final ConnectionLimits NONE = new ConnectionLimits(LimitSettings.NONE, new SessionCounts(), null, null, "");
    /** The metric counting refused sessions, tagged {@code limit}. */
    static final String REFUSALS = "pgwarden.oidc.limit.refusals";
    /** SQLSTATE too_many_connections, as PostgreSQL refuses past a role's CONNECTION LIMIT. */
    static final String TOO_MANY_CONNECTIONS = "53300";

    private final LimitSettings settings;
    private final SessionCounts counts;
    private final Metrics.Counter personRefusals;
    private final Metrics.Counter groupRefusals;
    private final String attribute;

    private ConnectionLimits(LimitSettings settings, SessionCounts counts, Metrics.Counter personRefusals,
                             Metrics.Counter groupRefusals, String attribute) {
        this.settings = settings;
        this.counts = counts;
        this.personRefusals = personRefusals;
        this.groupRefusals = groupRefusals;
        this.attribute = attribute;
    }

    /**
     * Reads the {@code limits} section of the plugin's section.
     *
     * @param pluginSection the plugin's section ({@code plugins[i]})
     * @param metrics where the refusals are counted
     * @param counts the plugin entry's session counts, which outlive a reload
     * @return the limits, {@link #NONE} without a limit
     * @throws io.pgwarden.spi.PluginConfigException naming the YAML path of a bad value
     */
    static ConnectionLimits fromConfig(PluginConfig pluginSection, Metrics metrics, SessionCounts counts) {
        LimitSettings settings = LimitSettings.fromConfig(pluginSection);
        if (!settings.limitsAnything()) {
            return NONE;
        }
        Objects.requireNonNull(metrics, "metrics");
        String description = "sessions refused by the oidc plugin's connection limits";
        return new ConnectionLimits(settings, Objects.requireNonNull(counts, "counts"),
                metrics.counter(REFUSALS, description, "limit", LimitSettings.PER_PERSON),
                metrics.counter(REFUSALS, description, "limit", LimitSettings.PER_GROUP),
                "oidc.limits " + pluginSection.path());
    }

    /**
     * Takes a slot of the session's person and of each of its limited groups, or refuses the
     * session and takes nothing.
     *
     * @param context the session in onAuth
     * @return proceed, or a rejection with SQLSTATE 53300 naming the limit
     */
    Decision acquire(AuthContext context) {
        if (this == NONE) {
            return Decision.proceed();
        }
        Identity identity = context.authenticatedIdentity();
        if (!OidcAuthenticator.METHOD.equals(identity.method()) && !OAuthBearerAuthenticator.METHOD.equals(identity.method())) {
            return Decision.proceed();
        }
        List<SessionCounts.GroupLimit> limited = new ArrayList<>();
        for (Map.Entry<String, Integer> limit : settings.perGroup().entrySet()) {
            if (identity.groups().contains(limit.getKey())) {
                limited.add(new SessionCounts.GroupLimit(limit.getKey(), limit.getValue()));
            }
        }
        SessionCounts.Result result = counts.acquire(person(identity), settings.perPerson(), limited);
        if (result instanceof SessionCounts.Granted granted) {
            context.attributes().put(attribute, granted.lease());
            return Decision.proceed();
        }
        SessionCounts.Full full = (SessionCounts.Full) result;
        if (full.group() == null) {
            personRefusals.increment();
            return Decision.reject(TOO_MANY_CONNECTIONS, personMessage(identity.displayName(), full.max()),
                    "close another of your sessions, or ask the administrator to raise " + LimitSettings.PER_PERSON);
        }
        groupRefusals.increment();
        return Decision.reject(TOO_MANY_CONNECTIONS, groupMessage(full.group(), full.max()),
                "try again when another session of the group has ended");
    }

    /**
     * Gives back the slots the session took, if it took any; a second call changes nothing.
     *
     * @param context the ending session
     */
    void release(SessionContext context) {
        if (this == NONE) {
            return;
        }
        if (context.attributes().remove(attribute) instanceof SessionCounts.Lease lease) {
            lease.release();
        }
    }

    /**
     * The refusal of a person at their own limit.
     *
     * @param display the person's display name
     * @param max the limit
     * @return e.g. {@code too many connections for alice@example.com: max_connections_per_person is 10}
     */
    static String personMessage(String display, int max) {
        return "too many connections for " + display + ": " + LimitSettings.PER_PERSON + " is " + max;
    }

    /**
     * The refusal of a session whose group is at its limit.
     *
     * @param group the group
     * @param max the group's limit
     * @return e.g. {@code too many connections for group analysts: max_connections_per_group is 50}
     */
    static String groupMessage(String group, int max) {
        return "too many connections for group " + group + ": " + LimitSettings.PER_GROUP + " is " + max;
    }

    /**
     * The person's key: the issuer (the token's {@code iss}, which the identity's claims carry) and
     * the subject. A validated token always has {@code iss}; without it the role stands in.
     */
    private static String person(Identity identity) {
        Object issuer = identity.claims().get("iss");
        String authority = issuer instanceof String text ? text : "role " + identity.databaseRole();
        return authority + '\n' + identity.subject();
    }

}
