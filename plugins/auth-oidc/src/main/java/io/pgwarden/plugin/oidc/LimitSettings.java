package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code limits} section of the oidc plugin:
 * <pre>
 * limits:
 *   max_connections_per_person: 10     # default 0 = no limit
 *   max_connections_per_group:         # token group -> sessions of all its people together
 *     analysts: 50
 * </pre>
 *
 * @param perPerson sessions one person may hold at once; 0 = no limit
 * @param perGroup each limited group's limit (at least 1), in configuration order
 */
record LimitSettings(int perPerson, Map<String, Integer> perGroup) {

    static final String SECTION = OidcAuthSettings.LIMITS_SECTION;
    static final String PER_PERSON = "max_connections_per_person";
    static final String PER_GROUP = "max_connections_per_group";
    /** No limit at all: nothing is counted. */
    static final LimitSettings NONE = new LimitSettings(0, Map.of());

    private static final Set<String> KEYS = Set.of(PER_PERSON, PER_GROUP);

    /** Checks the values and keeps the groups' order. */
    LimitSettings {
        if (perPerson < 0) {
            throw new IllegalArgumentException("perPerson < 0");
        }
        Objects.requireNonNull(perGroup, "perGroup");
        perGroup.values().forEach(max -> {
            if (max < 1) {
                throw new IllegalArgumentException("a group limit < 1");
            }
        });
        perGroup = Collections.unmodifiableMap(new LinkedHashMap<>(perGroup));
    }

    /**
     * Reads {@code limits} from the plugin's section.
     *
     * @param pluginSection the plugin's section ({@code plugins[i]})
     * @return the settings; {@link #NONE} without the section
     * @throws PluginConfigException naming the YAML path of an unknown key, a negative number or a value that is not
     *     a whole number
     */
    static LimitSettings fromConfig(PluginConfig pluginSection) {
        if (!pluginSection.has(SECTION)) {
            return NONE;
        }
        PluginConfig section = pluginSection.section(SECTION);
        for (String key : section.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(section.pathOf(key), "unknown setting; limits has " + PER_PERSON + " and " + PER_GROUP);
            }
        }
        int perPerson = count(section, PER_PERSON).orElse(0);
        Map<String, Integer> perGroup = new LinkedHashMap<>();
        PluginConfig groups = section.section(PER_GROUP);
        for (String group : groups.values().keySet()) {
            if (group.isBlank()) {
                throw new PluginConfigException(groups.pathOf(group), "a group name cannot be empty");
            }
            int max = count(groups, group).orElseThrow(() -> new PluginConfigException(groups.pathOf(group),
                    "expected the number of sessions the group's people may hold together"));
            if (max == 0) {
                throw new PluginConfigException(groups.pathOf(group), "must be at least 1; leave the group out for no limit");
            }
            perGroup.put(group, max);
        }
        return new LimitSettings(perPerson, perGroup);
    }

    /** Whether any limit is set; without one, nothing is counted. */
    boolean limitsAnything() {
        return perPerson > 0 || !perGroup.isEmpty();
    }

    /** A whole number of sessions, 0 or more, when present. */
    private static Optional<Integer> count(PluginConfig section, String key) {
        Optional<String> text = section.string(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        int value;
        try {
            value = Integer.parseInt(text.get().trim());
        } catch (NumberFormatException e) {
            throw new PluginConfigException(section.pathOf(key), "expected a whole number of sessions, found '" + text.get() + "'");
        }
        if (value < 0) {
            throw new PluginConfigException(section.pathOf(key), "must be 0 or more, found " + value);
        }
        return Optional.of(value);
    }
}
