package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code provisioning} section: who the admin side connection logs in as and where, the marker role whose
 * members pgwarden manages, and which managed group roles each token group gives.
 *
 * @param path the section's YAML path, for messages
 * @param adminUser {@code admin.user}
 * @param adminPassword {@code admin.password} resolved, or {@code null} when the server trusts pgwarden
 * @param database {@code database}: where the admin connects
 * @param marker {@code marker_role}
 * @param groups token group to managed group roles, in configuration order
 */
record ProvisioningSettings(String path, String adminUser, String adminPassword, String database, RoleName marker,
                            Map<String, List<RoleName>> groups) {

    static final String SECTION = "provisioning";
    static final String DEFAULT_DATABASE = "postgres";
    static final String DEFAULT_MARKER = "pgwarden_managed";

    private static final Set<String> KEYS = Set.of("admin", "database", "marker_role", "groups");
    private static final Set<String> ADMIN_KEYS = Set.of("user", "password");

    /** Checks for null and copies the map, keeping its order. */
    ProvisioningSettings {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(adminUser, "adminUser");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(marker, "marker");
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /**
     * Reads the section; the admin password must be a secret reference and is resolved now.
     *
     * @param pluginSection the plugin's section ({@code plugins[i]})
     * @param services to resolve the password reference
     * @return the settings, empty without a {@code provisioning} key
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static Optional<ProvisioningSettings> fromConfig(PluginConfig pluginSection, Services services) {
        Objects.requireNonNull(pluginSection, "pluginSection");
        Objects.requireNonNull(services, "services");
        if (!pluginSection.has(SECTION)) {
            return Optional.empty();
        }
        PluginConfig section = pluginSection.section(SECTION);
        for (String key : section.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(section.pathOf(key), "unknown setting; provisioning knows admin, database, marker_role "
                        + "and groups");
            }
        }
        if (!section.has("admin")) {
            throw new PluginConfigException(section.pathOf("admin"), "is required: the role pgwarden creates and grants roles as");
        }
        PluginConfig admin = section.section("admin");
        for (String key : admin.values().keySet()) {
            if (!ADMIN_KEYS.contains(key)) {
                throw new PluginConfigException(admin.pathOf(key), "unknown setting; admin has user and password");
            }
        }
        String adminUser = nonEmpty(admin, "user", admin.requireString("user"));
        Credential credential = ServiceAccountStrategy.credential(admin, services);
        String adminPassword = credential instanceof Credential.Password password ? password.password() : null;
        String database = nonEmpty(section, "database", section.string("database", DEFAULT_DATABASE));
        RoleName marker = roleName(section.pathOf("marker_role"), section.string("marker_role", DEFAULT_MARKER));
        Map<String, List<RoleName>> groups = groups(section);
        Set<String> forbidden = new LinkedHashSet<>();
        forbidden.add(marker.name());
        forbidden.add(adminUser);
        setRoleUser(pluginSection).ifPresent(forbidden::add);
        for (Map.Entry<String, List<RoleName>> group : groups.entrySet()) {
            List<RoleName> roles = group.getValue();
            for (int i = 0; i < roles.size(); i++) {
                if (forbidden.contains(roles.get(i).name())) {
                    throw new PluginConfigException(section.pathOf("groups") + "." + group.getKey() + "[" + i + "]",
                            "\"" + roles.get(i).name() + "\" is the marker role, the admin or the set-role service account; "
                                    + "a person must never be granted it");
                }
            }
        }
        return Optional.of(new ProvisioningSettings(section.path(), adminUser, adminPassword, database, marker, groups));
    }

    private static Map<String, List<RoleName>> groups(PluginConfig section) {
        Map<String, List<RoleName>> groups = new LinkedHashMap<>();
        PluginConfig groupsSection = section.section("groups");
        for (String group : groupsSection.values().keySet()) {
            String groupPath = groupsSection.pathOf(group);
            if (group.isBlank()) {
                throw new PluginConfigException(groupPath, "a group name is empty");
            }
            Object value = groupsSection.values().get(group);
            // One role may be written without a list: `analysts: analytics_read`.
            List<String> names = value instanceof List ? groupsSection.strings(group)
                    : groupsSection.string(group).map(List::of).orElse(List.of());
            if (names.isEmpty()) {
                throw new PluginConfigException(groupPath, "lists no role; list the managed group roles this group gives, "
                        + "or remove the group");
            }
            List<RoleName> roles = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                String itemPath = value instanceof List ? groupPath + "[" + i + "]" : groupPath;
                roles.add(roleName(itemPath, names.get(i).trim()));
            }
            groups.put(group, List.copyOf(roles));
        }
        return groups;
    }

    private static RoleName roleName(String path, String name) {
        Optional<String> problem = RoleName.problem(name);
        if (problem.isPresent()) {
            throw new PluginConfigException(path, "not a role name: " + problem.get());
        }
        return new RoleName(name);
    }

    private static String nonEmpty(PluginConfig section, String key, String value) {
        String trimmed = value.trim();
        if (trimmed.isEmpty()) {
            throw new PluginConfigException(section.pathOf(key), "is empty");
        }
        return trimmed;
    }

    private static Optional<String> setRoleUser(PluginConfig pluginSection) {
        if (!pluginSection.has(OidcAuthSettings.SET_ROLE_SECTION)) {
            return Optional.empty();
        }
        return pluginSection.section(OidcAuthSettings.SET_ROLE_SECTION).string("user").map(String::trim);
    }

    /**
     * The managed set: every role some group gives. Memberships in other roles are never touched.
     *
     * @return the roles, in configuration order
     */
    Set<RoleName> managed() {
        Set<RoleName> managed = new LinkedHashSet<>();
        groups.values().forEach(managed::addAll);
        return managed;
    }

    /**
     * The managed group roles a person with these token groups should be a member of.
     *
     * @param tokenGroups the token's groups
     * @return the union of {@code groups[g]} over the token's groups
     */
    Set<RoleName> desired(Set<String> tokenGroups) {
        Set<RoleName> desired = new LinkedHashSet<>();
        groups.forEach((group, roles) -> {
            if (tokenGroups.contains(group)) {
                desired.addAll(roles);
            }
        });
        return desired;
    }

    @Override
    public String toString() {
        return "ProvisioningSettings[" + path + ", admin=" + adminUser + ", database=" + database + ", marker_role=" + marker
                + ", groups=" + groups.keySet() + "]";
    }
}
