package io.pgwarden.core.login;

import java.util.Map;
import java.util.Objects;

/**
 * Which profile a command uses and what its settings are: each setting from the command's flag, else from the
 * environment ({@code PGWARDEN_ISSUER}, {@code PGWARDEN_CLIENT_ID}, {@code PGWARDEN_SCOPES}, {@code PGWARDEN_HOST},
 * {@code PGWARDEN_PORT}, {@code PGWARDEN_SSLMODE}, {@code PGWARDEN_DBNAME}, {@code PGWARDEN_USER}), else from the
 * profile in {@code profiles.yaml}. The profile is {@code --profile}, else {@code PGWARDEN_PROFILE}, else
 * {@code default}.
 */
public final class ProfileSettings {

    /** The profile used when none is named. */
    public static final String DEFAULT_PROFILE = "default";

    private ProfileSettings() {
    }

    /**
     * The profile's name.
     *
     * @param flag {@code --profile}, or null
     * @param environment the process's environment
     * @return the name
     * @throws LoginException when it is not a valid name
     */
    public static String name(String flag, Map<String, String> environment) {
        if (flag != null) {
            return LoginProfile.checkName(flag);
        }
        String variable = environment.get("PGWARDEN_PROFILE");
        return variable == null || variable.isBlank() ? DEFAULT_PROFILE : LoginProfile.checkName(variable);
    }

    /**
     * The settings of the profile.
     *
     * @param name the profile's name
     * @param flags the settings given as flags
     * @param environment the process's environment
     * @param file the profile file
     * @return flags, else environment, else file
     * @throws LoginException when a variable or the file holds a wrong value
     */
    public static LoginProfile resolve(String name, LoginProfile flags, Map<String, String> environment, ProfileFile file) {
        Objects.requireNonNull(flags, "flags");
        return flags.orElse(fromEnvironment(environment)).orElse(file.get(name));
    }

    /**
     * The settings in the environment.
     *
     * @param environment the process's environment
     * @return the settings, null where a variable is unset or empty
     * @throws LoginException naming the variable when one holds a wrong value
     */
    static LoginProfile fromEnvironment(Map<String, String> environment) {
        String issuer = value(environment, "PGWARDEN_ISSUER");
        String scopes = value(environment, "PGWARDEN_SCOPES");
        String port = value(environment, "PGWARDEN_PORT");
        String sslmode = value(environment, "PGWARDEN_SSLMODE");
        return new LoginProfile(
                issuer == null ? null : LoginProfile.parseIssuer("PGWARDEN_ISSUER", issuer),
                value(environment, "PGWARDEN_CLIENT_ID"),
                scopes == null ? null : LoginProfile.parseScopes(scopes),
                value(environment, "PGWARDEN_HOST"),
                port == null ? null : LoginProfile.parsePort("PGWARDEN_PORT", port),
                sslmode == null ? null : LoginProfile.parseSslmode("PGWARDEN_SSLMODE", sslmode),
                value(environment, "PGWARDEN_DBNAME"),
                value(environment, "PGWARDEN_USER"));
    }

    /**
     * Checks that the settings name an issuer and a client, as a login needs.
     *
     * @param name the profile's name
     * @param settings the settings
     * @param file the profile file, for the message
     * @return the settings
     * @throws LoginException naming every way to give what is missing
     */
    public static LoginProfile requireProvider(String name, LoginProfile settings, ProfileFile file) {
        if (settings.issuer() == null) {
            throw new LoginException("no issuer for profile " + name + ": give --issuer, PGWARDEN_ISSUER, or issuer in "
                    + file.path());
        }
        if (settings.clientId() == null) {
            throw new LoginException("no client id for profile " + name + ": give --client-id, PGWARDEN_CLIENT_ID, or"
                    + " client_id in " + file.path());
        }
        return settings;
    }

    private static String value(Map<String, String> environment, String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? null : value;
    }
}
