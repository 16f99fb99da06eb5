package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitSettingsTest {

    private static PluginConfig plugin(Object limits) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("limits", limits);
        return new PluginConfig("plugins[2]", values);
    }

    private static void assertRefusedAt(Object limits, String path, String message) {
        assertThatThrownBy(() -> LimitSettings.fromConfig(plugin(limits)))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo(path))
                .hasMessageContaining(message);
    }

    @Test
    void withoutTheSectionNothingIsLimited() {
        assertThat(LimitSettings.fromConfig(new PluginConfig("plugins[0]", Map.of()))).isSameAs(LimitSettings.NONE);
        assertThat(LimitSettings.NONE.limitsAnything()).isFalse();
        assertThat(LimitSettings.fromConfig(plugin(null)).limitsAnything()).isFalse();
        assertThat(LimitSettings.fromConfig(plugin(Map.of("max_connections_per_person", 0))).limitsAnything()).isFalse();
    }

    @Test
    void readsThePersonLimitAndTheGroupLimitsInConfigurationOrder() {
        Map<String, Object> groups = new LinkedHashMap<>();
        groups.put("zeta", 3);
        groups.put("analysts", "50");
        groups.put("admins", 1);

        LimitSettings settings = LimitSettings.fromConfig(plugin(Map.of("max_connections_per_person", 10,
                "max_connections_per_group", groups)));

        assertThat(settings.perPerson()).isEqualTo(10);
        assertThat(settings.perGroup()).containsExactly(Map.entry("zeta", 3), Map.entry("analysts", 50), Map.entry("admins", 1));
        assertThat(settings.limitsAnything()).isTrue();
    }

    @Test
    void aGroupLimitAloneLimits() {
        LimitSettings settings = LimitSettings.fromConfig(plugin(Map.of("max_connections_per_group", Map.of("analysts", 2))));

        assertThat(settings.perPerson()).isZero();
        assertThat(settings.limitsAnything()).isTrue();
    }

    @Test
    void anUnknownKeyIsRefusedAtItsPath() {
        assertRefusedAt(Map.of("max_connections_per_user", 3), "plugins[2].limits.max_connections_per_user",
                "unknown setting; limits has max_connections_per_person and max_connections_per_group");
    }

    @Test
    void theSectionMustBeAMap() {
        assertRefusedAt(5, "plugins[2].limits", "expected a map");
        assertRefusedAt(Map.of("max_connections_per_group", List.of("analysts")), "plugins[2].limits.max_connections_per_group",
                "expected a map");
    }

    @Test
    void negativeNumbersAreRefusedAtTheirPath() {
        assertRefusedAt(Map.of("max_connections_per_person", -1), "plugins[2].limits.max_connections_per_person",
                "must be 0 or more, found -1");
        assertRefusedAt(Map.of("max_connections_per_group", Map.of("analysts", -5)),
                "plugins[2].limits.max_connections_per_group.analysts", "must be 0 or more, found -5");
    }

    @Test
    void valuesThatAreNotWholeNumbersAreRefusedAtTheirPath() {
        for (Object bad : List.of("ten", 2.5, true, "99999999999", List.of(1), Map.of("a", 1))) {
            assertRefusedAt(Map.of("max_connections_per_person", bad), "plugins[2].limits.max_connections_per_person", "expected");
            assertRefusedAt(Map.of("max_connections_per_group", Map.of("analysts", bad)),
                    "plugins[2].limits.max_connections_per_group.analysts", "expected");
        }
    }

    @Test
    void aGroupWithoutANumberOrWithZeroOrWithoutANameIsRefused() {
        Map<String, Object> empty = new LinkedHashMap<>();
        empty.put("analysts", null);
        assertRefusedAt(Map.of("max_connections_per_group", empty), "plugins[2].limits.max_connections_per_group.analysts",
                "expected the number of sessions");
        assertRefusedAt(Map.of("max_connections_per_group", Map.of("analysts", 0)), "plugins[2].limits.max_connections_per_group.analysts",
                "must be at least 1; leave the group out for no limit");
        assertRefusedAt(Map.of("max_connections_per_group", Map.of(" ", 4)), "plugins[2].limits.max_connections_per_group. ",
                "a group name cannot be empty");
        assertRefusedAt(Map.of("max_connections_per_group", Map.of(7, 4)), "plugins[2].limits.max_connections_per_group",
                "keys must be text");
    }
}
