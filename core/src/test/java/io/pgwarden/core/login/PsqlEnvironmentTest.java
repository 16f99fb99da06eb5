package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PsqlEnvironmentTest {

    @Test
    void theProfileSetsLibpqsVariablesAndTheTokenIsThePassword() {
        LoginProfile profile = new LoginProfile(null, null, null, "pgwarden.internal", 6432, "verify-full", "analytics",
                "alice");
        Map<String, String> environment = PsqlEnvironment.build(Map.of("PATH", "/usr/bin", "PGHOST", "old-host",
                "PGPASSWORD", "old-password"), profile, "the-token");
        assertThat(environment).containsExactlyInAnyOrderEntriesOf(Map.of("PATH", "/usr/bin", "PGPASSWORD", "the-token",
                "PGHOST", "pgwarden.internal", "PGPORT", "6432", "PGSSLMODE", "verify-full", "PGDATABASE", "analytics",
                "PGUSER", "alice"));
    }

    @Test
    void whatTheProfileLeavesOpenStaysAsInheritedAndSslIsRequiredByDefault() {
        Map<String, String> environment = PsqlEnvironment.build(Map.of("PGHOST", "db.example.com"), LoginProfile.EMPTY,
                "t");
        assertThat(environment).containsExactlyInAnyOrderEntriesOf(Map.of("PGHOST", "db.example.com", "PGPASSWORD", "t",
                "PGSSLMODE", "require"));
        assertThat(PsqlEnvironment.build(Map.of("PGSSLMODE", "verify-ca"), LoginProfile.EMPTY, "t"))
                .containsEntry("PGSSLMODE", "verify-ca");
    }
}
