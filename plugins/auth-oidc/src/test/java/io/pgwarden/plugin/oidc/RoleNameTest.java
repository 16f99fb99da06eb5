package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RoleNameTest {

    @Test
    void quotedDoublesEveryDoubleQuoteAndKeepsEverythingElse() {
        assertThat(new RoleName("alice").quoted()).isEqualTo("\"alice\"");
        assertThat(new RoleName("Alice Smith").quoted()).isEqualTo("\"Alice Smith\"");
        assertThat(new RoleName("x\"; DROP ROLE postgres; --").quoted()).isEqualTo("\"x\"\"; DROP ROLE postgres; --\"");
        assertThat(new RoleName("\"").quoted()).isEqualTo("\"\"\"\"");
        assertThat(new RoleName("jürgen.müller@example.com").quoted()).isEqualTo("\"jürgen.müller@example.com\"");
        assertThat(new RoleName("a'b\\c").quoted()).as("quotes and backslashes are nothing special in an identifier")
                .isEqualTo("\"a'b\\c\"");
    }

    @Test
    void sixtyThreeBytesAreKeptAndMoreAreRefusedRatherThanCutByTheServer() {
        assertThat(RoleName.problem("a".repeat(63))).isEmpty();
        assertThat(RoleName.problem("a".repeat(64))).contains("has 64 bytes; PostgreSQL keeps at most 63 and would cut it");
        // 32 two-byte characters: 32 characters but 64 bytes.
        assertThat(RoleName.problem("é".repeat(32))).contains("has 64 bytes; PostgreSQL keeps at most 63 and would cut it");
        assertThat(RoleName.problem("é".repeat(31) + "a")).isEmpty();
        assertThatThrownBy(() -> new RoleName("b".repeat(64))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emptyAndNulAreRefused() {
        assertThat(RoleName.problem("")).contains("is empty");
        assertThat(RoleName.problem("ali\0ce")).contains("contains a NUL character");
        assertThatThrownBy(() -> new RoleName("a\0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("contains a NUL character");
    }

    @Test
    void reservedNamesAreThoseCreateRoleRefuses() {
        assertThat(new RoleName("pg_monitor").reserved()).isTrue();
        assertThat(new RoleName("pg_").reserved()).isTrue();
        assertThat(new RoleName("public").reserved()).isTrue();
        assertThat(new RoleName("none").reserved()).isTrue();
        assertThat(new RoleName("PUBLIC").reserved()).as("quoted names are case-sensitive").isFalse();
        assertThat(new RoleName("pgadmin").reserved()).isFalse();
        assertThat(new RoleName("alice").reserved()).isFalse();
    }
}
