package io.pgwarden.core.login;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The environment {@code pgwarden psql} gives psql: the access token as {@code PGPASSWORD}, and the proxy's host, port,
 * sslmode, database and user from the profile as libpq's {@code PGHOST}, {@code PGPORT}, {@code PGSSLMODE},
 * {@code PGDATABASE} and {@code PGUSER}. What the profile leaves open stays as inherited; {@code PGSSLMODE} is
 * {@code require} when neither says, because the proxy takes a token only over TLS.
 */
public final class PsqlEnvironment {

    /** The sslmode when neither the profile nor the environment names one. */
    static final String DEFAULT_SSLMODE = "require";

    private PsqlEnvironment() {
    }

    /**
     * Builds psql's environment.
     *
     * @param inherited this process's environment
     * @param profile the profile's settings
     * @param accessToken the access token
     * @return the environment for psql
     */
    public static Map<String, String> build(Map<String, String> inherited, LoginProfile profile, String accessToken) {
        Objects.requireNonNull(accessToken, "accessToken");
        Map<String, String> environment = new HashMap<>(inherited);
        environment.put("PGPASSWORD", accessToken);
        putIfSet(environment, "PGHOST", profile.host());
        putIfSet(environment, "PGPORT", profile.port() == null ? null : profile.port().toString());
        putIfSet(environment, "PGSSLMODE", profile.sslmode());
        environment.putIfAbsent("PGSSLMODE", DEFAULT_SSLMODE);
        putIfSet(environment, "PGDATABASE", profile.dbname());
        putIfSet(environment, "PGUSER", profile.user());
        return environment;
    }

    private static void putIfSet(Map<String, String> environment, String name, String value) {
        if (value != null) {
            environment.put(name, value);
        }
    }
}
