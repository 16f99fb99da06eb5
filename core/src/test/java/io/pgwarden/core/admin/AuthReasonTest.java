package io.pgwarden.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A refusal's SQLSTATE maps to one of a closed set of reasons, whatever the method or the state. */
class AuthReasonTest {

    @Test
    void passwordAndTokenRefusalsAreToldApart() {
        assertThat(AuthReason.ofRefusal("scram-sha-256", "28P01")).isEqualTo(AuthReason.BAD_PASSWORD);
        assertThat(AuthReason.ofRefusal("passthrough", "28P01")).isEqualTo(AuthReason.BAD_PASSWORD);
        assertThat(AuthReason.ofRefusal("oidc", "28000")).isEqualTo(AuthReason.BAD_TOKEN);
        assertThat(AuthReason.ofRefusal("oauth", "28000")).isEqualTo(AuthReason.BAD_TOKEN);
        assertThat(AuthReason.ofRefusal("passthrough", "28000")).isEqualTo(AuthReason.NOT_AUTHORIZED);
    }

    @Test
    void limitsOutagesAndInternalErrorsHaveTheirOwnReasons() {
        assertThat(AuthReason.ofRefusal("scram-sha-256", "53300")).isEqualTo(AuthReason.LIMIT);
        assertThat(AuthReason.ofRefusal("oidc", "08006")).isEqualTo(AuthReason.UNAVAILABLE);
        assertThat(AuthReason.ofRefusal("passthrough", "08P01")).isEqualTo(AuthReason.UNAVAILABLE);
        assertThat(AuthReason.ofRefusal("oidc", "XX000")).isEqualTo(AuthReason.INTERNAL_ERROR);
    }

    @Test
    void anyOtherStateIsOtherSoThePluginCannotWidenTheTag() {
        assertThat(AuthReason.ofRefusal("custom", "P0001")).isEqualTo(AuthReason.OTHER);
        assertThat(AuthReason.ofRefusal("custom", "")).isEqualTo(AuthReason.OTHER);
        assertThat(AuthReason.ofRefusal("custom", "a very long state a plugin made up")).isEqualTo(AuthReason.OTHER);
        assertThatThrownBy(() -> AuthReason.ofRefusal("custom", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void tagsAreSnakeCaseAndResultsKeepTheirOldValues() {
        assertThat(Arrays.stream(AuthReason.values()).map(AuthReason::tag)).allMatch(tag -> tag.matches("[a-z_]+")).doesNotHaveDuplicates();
        assertThat(Arrays.stream(AuthReason.values()).map(AuthReason::result).distinct())
                .containsExactlyInAnyOrder("success", "failure", "no_rule", "refused", "protocol_error", "error");
        assertThat(AuthReason.OK.result()).isEqualTo("success");
        assertThat(AuthReason.TIMEOUT.result()).isEqualTo("failure");
    }
}
