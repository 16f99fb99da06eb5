package io.pgwarden.scram;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SaslPrepTest {

    @Test
    void asciiPasswordsAreUsedAsIsEvenWithControlCharacters() {
        assertThat(SaslPrep.prepare("pencil")).isEqualTo("pencil");
        assertThat(SaslPrep.prepare("a\tb\u0001")).isEqualTo("a\tb\u0001");
    }

    @Test
    void nonAsciiSpacesBecomeSpacesAndSoftHyphensDisappear() {
        assertThat(SaslPrep.prepare("I\u00ADX")).isEqualTo("IX");
        assertThat(SaslPrep.prepare("a\u00A0b")).isEqualTo("a b");
    }

    @Test
    void compatibilityCharactersAreNormalizedWithNfkc() {
        assertThat(SaslPrep.prepare("\u00AA")).isEqualTo("a");
        assertThat(SaslPrep.prepare("\u2168")).isEqualTo("IX");
    }

    @Test
    void passwordsWithProhibitedCharactersAreUsedAsIsLikePostgres() {
        assertThat(SaslPrep.prepare("\u00e9\u0007")).isEqualTo("\u00e9\u0007");
        assertThat(SaslPrep.prepare("\u00AA\uE000")).isEqualTo("\u00AA\uE000");
    }

    @Test
    void mixedDirectionPasswordsAreUsedAsIs() {
        assertThat(SaslPrep.prepare("\u0627\u00AA")).isEqualTo("\u0627\u00AA");
        assertThat(SaslPrep.prepare("\u0627\u0628")).isEqualTo("\u0627\u0628");
    }
}
