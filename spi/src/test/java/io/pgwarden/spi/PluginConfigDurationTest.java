package io.pgwarden.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PluginConfigDurationTest {

    private static Duration parse(String value) {
        return new PluginConfig("plugins[0]", Map.of("wait", value)).duration("wait", Duration.ZERO);
    }

    @Test
    void everyUnitAndPlainSecondsAreRead() {
        assertThat(parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(parse("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(parse(" 3 S ")).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void anAbsentKeyGivesTheDefault() {
        assertThat(new PluginConfig("plugins[0]", Map.of()).duration("wait", Duration.ofSeconds(9)))
                .isEqualTo(Duration.ofSeconds(9));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "s", "ms", "-1s", "5x", "1.5s", "abc", "99999999999999999999s"})
    void anythingElseIsAConfigErrorNamingThePath(String value) {
        assertThatThrownBy(() -> parse(value))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[0].wait: expected a duration");
    }
}
