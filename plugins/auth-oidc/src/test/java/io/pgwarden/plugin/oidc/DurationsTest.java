package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void unitsAndPlainSecondsAreRead() {
        assertThat(parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(parse(30)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse(new PluginConfig("p", Map.of()), "d", Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void anythingElseIsAnErrorAtItsPath() {
        for (Object bad : new Object[] {"soon", "-1s", "5d", "ms", "1.5h"}) {
            assertThatThrownBy(() -> parse(bad)).isInstanceOf(PluginConfigException.class)
                    .hasMessageContaining("expected a duration")
                    .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("p.d"));
        }
    }

    private static Duration parse(Object value) {
        return Durations.parse(new PluginConfig("p", Map.of("d", value)), "d", Duration.ZERO);
    }
}
