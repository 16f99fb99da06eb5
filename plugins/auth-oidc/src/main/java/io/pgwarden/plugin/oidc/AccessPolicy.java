package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code authorization} section: which groups may log in at all, and which databases each group
 * may reach. Group names and database names are compared exactly (case-sensitive, as PostgreSQL
 * compares quoted names).
 */
final class AccessPolicy {

    private static final Set<String> KEYS = Set.of("allowed_groups", "databases");

    private final Set<String> allowedGroups;
    private final Map<String, List<Pattern>> databases;
    private final String allowedGroupsPath;
    private final String databasesPath;

    private AccessPolicy(Set<String> allowedGroups, Map<String, List<Pattern>> databases, String allowedGroupsPath,
            String databasesPath) {
        this.allowedGroups = allowedGroups;
        this.databases = databases;
        this.allowedGroupsPath = allowedGroupsPath;
        this.databasesPath = databasesPath;
    }

    /**
     * Reads the {@code authorization} section of the plugin's section. Without it, anyone with a
     * valid token may reach any database.
     *
     * @param pluginSection the plugin's section ({@code plugins[i]})
     * @return the policy
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static AccessPolicy fromConfig(PluginConfig pluginSection) {
        Objects.requireNonNull(pluginSection, "pluginSection");
        PluginConfig section = pluginSection.section("authorization");
        for (String key : section.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(section.pathOf(key), "unknown setting; authorization knows allowed_groups and databases");
            }
        }
        Set<String> allowed = new LinkedHashSet<>();
        List<String> listed = section.strings("allowed_groups");
        for (int i = 0; i < listed.size(); i++) {
            String group = listed.get(i).trim();
            if (group.isEmpty()) {
                throw new PluginConfigException(section.pathOf("allowed_groups") + "[" + i + "]", "is empty");
            }
            allowed.add(group);
        }
        Map<String, List<Pattern>> databases = new LinkedHashMap<>();
        PluginConfig databasesSection = section.section("databases");
        for (String group : databasesSection.values().keySet()) {
            String groupPath = databasesSection.pathOf(group);
            if (group.isBlank()) {
                throw new PluginConfigException(groupPath, "a group name is empty");
            }
            List<String> patterns = patterns(databasesSection, group);
            if (patterns.isEmpty()) {
                throw new PluginConfigException(groupPath, "lists no database; list database names or patterns such as "
                        + "\"reporting_*\", or \"*\" for any, or remove the group");
            }
            List<Pattern> compiled = new ArrayList<>(patterns.size());
            for (int i = 0; i < patterns.size(); i++) {
                String pattern = patterns.get(i).trim();
                if (pattern.isEmpty()) {
                    throw new PluginConfigException(groupPath + "[" + i + "]", "is empty");
                }
                compiled.add(glob(pattern));
            }
            databases.put(group, List.copyOf(compiled));
        }
        return new AccessPolicy(Set.copyOf(allowed), Map.copyOf(databases), section.pathOf("allowed_groups"),
                section.pathOf("databases"));
    }

    private static List<String> patterns(PluginConfig databasesSection, String group) {
        Object value = databasesSection.values().get(group);
        if (value instanceof List) {
            return databasesSection.strings(group);
        }
        // One pattern may be written without a list: `engineers: "*"`.
        return databasesSection.string(group).map(List::of).orElse(List.of());
    }

    /** A pattern where {@code *} matches any run of characters and everything else is literal. */
    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        int start = 0;
        for (int star = pattern.indexOf('*'); star >= 0; star = pattern.indexOf('*', start)) {
            if (star > start) {
                regex.append(Pattern.quote(pattern.substring(start, star)));
            }
            regex.append(".*");
            start = star + 1;
        }
        if (start < pattern.length()) {
            regex.append(Pattern.quote(pattern.substring(start)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /**
     * Why a person may not reach a database.
     *
     * @param message shown to the client with SQLSTATE 28000
     * @param noAllowedGroup true when the person has none of {@code allowed_groups} (they may not log in at all, so
     *     provisioning takes their role's login away), false when only this database is refused
     */
    record Refusal(String message, boolean noAllowedGroup) {
        /** Checks for null. */
        Refusal {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Why a person may not reach a database, if they may not.
     *
     * @param person the mapped person
     * @param database the database the client asked for
     * @return the refusal; empty when allowed
     */
    Optional<Refusal> refusal(PersonIdentity person, String database) {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(database, "database");
        if (!allowedGroups.isEmpty() && person.groups().stream().noneMatch(allowedGroups::contains)) {
            return Optional.of(new Refusal(person.role() + " is not in a group allowed by " + allowedGroupsPath, true));
        }
        if (!databases.isEmpty() && !databaseAllowed(person.groups(), database)) {
            return Optional.of(new Refusal("groups of " + person.role() + " do not allow database \"" + database + "\" ("
                    + databasesPath + ")", false));
        }
        return Optional.empty();
    }

    private boolean databaseAllowed(Set<String> groups, String database) {
        for (String group : groups) {
            List<Pattern> patterns = databases.get(group);
            if (patterns != null && patterns.stream().anyMatch(pattern -> pattern.matcher(database).matches())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "AccessPolicy[allowed_groups=" + allowedGroups + ", databases=" + databases.keySet() + "]";
    }
}
