package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScramAuthSettingsTest {

    @Test
    void defaultsAreThoseOfTheBrief() {
        ScramAuthSettings settings = ScramAuthSettings.parse(config(Map.of("userlist", "conf/userlist.txt")));

        assertThat(settings.iterations()).isEqualTo(4096);
        assertThat(settings.md5()).isFalse();
        assertThat(settings.md5Path()).isEqualTo("plugins[2].md5");
        assertThat(settings.failures()).isEqualTo(new FailureThrottle.Settings(Duration.ofMillis(200), Duration.ofSeconds(5), 10,
                Duration.ofMinutes(5), 100_000));
    }

    @Test
    void everySettingIsRead() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("iterations", 10000);
        values.put("md5", true);
        values.put("auth_query", Map.of("user", "auth"));
        values.put("failures", Map.of("delay", "50ms", "max_delay", "2s", "lockout_after", 4, "lockout", "1m", "max_tracked", 7));

        ScramAuthSettings settings = ScramAuthSettings.parse(config(values));

        assertThat(settings.iterations()).isEqualTo(10000);
        assertThat(settings.md5()).isTrue();
        assertThat(settings.failures()).isEqualTo(new FailureThrottle.Settings(Duration.ofMillis(50), Duration.ofSeconds(2), 4,
                Duration.ofMinutes(1), 7));
    }

    @Test
    void neitherUserlistNorAuthQueryIsAnErrorAtTheSection() {
        assertError(Map.of("md5", true), "plugins[2]", "needs userlist or auth_query");
    }

    @Test
    void unknownKeysAreNamed() {
        assertError(Map.of("userlist", "u", "userlst_reload", "2s"), "plugins[2].userlst_reload", "unknown setting");
        assertError(Map.of("userlist", "u", "failures", Map.of("delays", "1s")), "plugins[2].failures.delays", "unknown setting");
    }

    @Test
    void reloadIntervalWithoutAUserlistIsAnError() {
        assertError(Map.of("auth_query", Map.of(), "userlist_reload_interval", "2s"), "plugins[2].userlist_reload_interval", "userlist");
    }

    @Test
    void badValuesNameTheirPath() {
        assertError(Map.of("userlist", "u", "iterations", 0), "plugins[2].iterations", "must be 1 to");
        assertError(Map.of("userlist", "u", "iterations", 20_000_000), "plugins[2].iterations", "must be 1 to");
        assertError(Map.of("userlist", "u", "iterations", "many"), "plugins[2].iterations", "expected an integer");
        assertError(Map.of("userlist", "u", "md5", "perhaps"), "plugins[2].md5", "expected true or false");
        assertError(Map.of("userlist", "u", "failures", "none"), "plugins[2].failures", "expected a map");
        assertError(Map.of("userlist", "u", "failures", Map.of("delay", "soon")), "plugins[2].failures.delay", "expected a duration");
        assertError(Map.of("userlist", "u", "failures", Map.of("delay", "2s", "max_delay", "1s")), "plugins[2].failures.max_delay",
                "at least delay");
        assertError(Map.of("userlist", "u", "failures", Map.of("lockout_after", -1)), "plugins[2].failures.lockout_after", "0");
        assertError(Map.of("userlist", "u", "failures", Map.of("lockout", "0s")), "plugins[2].failures.lockout", "more than 0");
        assertError(Map.of("userlist", "u", "failures", Map.of("max_tracked", 0)), "plugins[2].failures.max_tracked", "at least 1");
    }

    private static void assertError(Map<String, ?> values, String path, String message) {
        assertThatThrownBy(() -> ScramAuthSettings.parse(config(values)))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo(path));
    }

    private static PluginConfig config(Map<String, ?> values) {
        return new PluginConfig("plugins[2]", values);
    }
}
