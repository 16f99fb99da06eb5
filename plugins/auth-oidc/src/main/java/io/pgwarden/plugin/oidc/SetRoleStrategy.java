package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Strategy {@code set-role}: pgwarden logs in as one service account ({@code set_role.user}) that
 * is a member of every person's role, and asks the server for the person's role in the startup
 * packet (parameter {@code role}), so {@code current_user} is the person and {@code RESET ROLE}
 * returns to them. The core keeps servers started for different roles apart (the role is part of
 * the pool key). Statements that could leave the role are refused by {@link RoleChangeGuard}.
 */
final class SetRoleStrategy implements LoginStrategy {

    static final String NAME = OidcAuthSettings.SET_ROLE;
    static final String SECTION = OidcAuthSettings.SET_ROLE_SECTION;
    /** The startup parameter the core sends in the server's startup packet. */
    static final String ROLE_PARAMETER = "role";

    private static final Set<String> KEYS = Set.of("user", "password");

    private final String user;
    private final Credential credential;

    SetRoleStrategy(String user, Credential credential) {
        this.user = Objects.requireNonNull(user, "user");
        this.credential = Objects.requireNonNull(credential, "credential");
    }

    /**
     * Reads {@code set_role}; the password must be a secret reference and is resolved now.
     *
     * @param pluginSection the plugin's section ({@code plugins[i]})
     * @param services to resolve the password reference
     * @return the strategy, or empty when there is no {@code set_role} key
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static Optional<SetRoleStrategy> fromConfig(PluginConfig pluginSection, Services services) {
        Objects.requireNonNull(pluginSection, "pluginSection");
        Objects.requireNonNull(services, "services");
        if (!pluginSection.has(SECTION)) {
            return Optional.empty();
        }
        PluginConfig section = pluginSection.section(SECTION);
        for (String key : section.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(section.pathOf(key), "unknown setting; set_role has user and password");
            }
        }
        String user = section.requireString("user").trim();
        if (user.isEmpty()) {
            throw new PluginConfigException(section.pathOf("user"), "is empty");
        }
        return Optional.of(new SetRoleStrategy(user, ServiceAccountStrategy.credential(section, services)));
    }

    /**
     * The service account that logs in.
     *
     * @return {@code set_role.user}
     */
    String user() {
        return user;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendLogin login(PersonIdentity person, BackendLogin ruleDefault) {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(ruleDefault, "ruleDefault");
        Map<String, String> parameters = new HashMap<>(ruleDefault.parameters());
        parameters.put(ROLE_PARAMETER, person.role());
        return ruleDefault.withUser(user, credential).withParameters(parameters);
    }

    @Override
    public String toString() {
        return "SetRoleStrategy[user=" + user + "]";
    }
}
