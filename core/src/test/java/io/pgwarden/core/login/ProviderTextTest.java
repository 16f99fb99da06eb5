package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProviderTextTest {

    @Test
    void terminalControlSequencesFromTheProviderAreDropped() {
        assertThat(ProviderText.printable("Token is not active\u001b[2J\u001b]0;owned\u0007\r\nreally"))
                .isEqualTo("Token is not active[2J]0;owned really");
        assertThat(ProviderText.printable("a\u202Eb\u0000c")).isEqualTo("abc");
    }

    @Test
    void whiteSpaceIsCollapsedAndALongTextIsCut() {
        assertThat(ProviderText.printable("  one \n\t two  ")).isEqualTo("one two");
        assertThat(ProviderText.printable("x".repeat(5000))).hasSize(ProviderText.MAX_CHARS + 3).endsWith("...");
        assertThat(ProviderText.printable(null)).isEmpty();
    }
}
