package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void durationsTakeTheirUnit() {
        assertThat(Units.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.duration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Units.duration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Units.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Units.duration("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Units.duration(" 3 S ")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Units.duration("0")).isEqualTo(Duration.ZERO);
    }

    @Test
    void durationsWithoutAUnitOrWithFractionsAreRefused() {
        for (String bad : new String[] {"10", "1.5s", "-1s", "s", "", "10 seconds", "1w"}) {
            assertThatThrownBy(() -> Units.duration(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sizesTakeBinaryUnits() {
        assertThat(Units.size("10000")).isEqualTo(10_000);
        assertThat(Units.size("12B")).isEqualTo(12);
        assertThat(Units.size("64KiB")).isEqualTo(65_536);
        assertThat(Units.size("64 MiB")).isEqualTo(64L << 20);
        assertThat(Units.size("2GiB")).isEqualTo(2L << 30);
    }

    @Test
    void absurdSizesSaturateInsteadOfWrapping() {
        assertThat(Units.size("999999999999GiB")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void sizesWithUnknownUnitsAreRefused() {
        for (String bad : new String[] {"64MB", "64mib", "-1", "1.5KiB", "", "KiB"}) {
            assertThatThrownBy(() -> Units.size(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sizesAreDescribedInTheLargestExactUnit() {
        assertThat(Units.describeSize(1L << 30)).isEqualTo("1GiB");
        assertThat(Units.describeSize(3L << 20)).isEqualTo("3MiB");
        assertThat(Units.describeSize(1024)).isEqualTo("1KiB");
        assertThat(Units.describeSize(10_000)).isEqualTo("10000");
    }
}
