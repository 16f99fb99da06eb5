package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditDatabaseTest {

    @Test
    void theUrlGivesHostPortDatabaseAndUserAndThePasswordFileWinsOverPgpassword() {
        AuditDatabase database = AuditDatabase.of("postgresql://auditor@db.example:6543/audit", Map.of("PGPASSWORD", "env-secret",
                "PGUSER", "other"), "file-secret");

        assertThat(database).isEqualTo(new AuditDatabase("db.example", 6543, "audit", "auditor", "file-secret"));
        assertThat(database.toString()).isEqualTo("postgresql://auditor@db.example:6543/audit").doesNotContain("secret");
    }

    @Test
    void withoutAUrlThePgVariablesAreUsed() {
        AuditDatabase database = AuditDatabase.of(null, Map.of("PGHOST", "h", "PGPORT", "5433", "PGDATABASE", "d", "PGUSER", "u",
                "PGPASSWORD", "p"), null);

        assertThat(database).isEqualTo(new AuditDatabase("h", 5433, "d", "u", "p"));
        assertThat(AuditDatabase.of("postgres://u@h", Map.of(), null)).isEqualTo(new AuditDatabase("h", 5432, "u", "u", null));
    }

    @Test
    void aMalformedUrlOrPortIsRefusedWithoutEchoingAPassword() {
        assertThatThrownBy(() -> AuditDatabase.of("mysql://u@h/d", Map.of(), null)).hasMessageContaining("postgresql://user@host");
        assertThatThrownBy(() -> AuditDatabase.of("postgresql://u:hunter2@h/d", Map.of(), null))
                .hasMessageContaining("--password-file").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> AuditDatabase.of("postgresql://u@h:x/d ^", Map.of(), null)).hasMessageContaining("not a URL");
        assertThatThrownBy(() -> AuditDatabase.of(null, Map.of("PGPORT", "port"), null)).hasMessageContaining("PGPORT");
    }
}
