package io.pgwarden.plugin.protocollog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretRedactorTest {

    @Test
    void alterRolePasswordLiteralIsRedacted() {
        assertThat(SecretRedactor.redact("ALTER ROLE alice WITH PASSWORD 'hunter2'"))
                .isEqualTo("ALTER ROLE alice WITH PASSWORD '[redacted]'");
    }

    @Test
    void createUserEncryptedPasswordInLowerCaseIsRedacted() {
        assertThat(SecretRedactor.redact("create user bob encrypted password 'SCRAM-SHA-256$4096:abc' valid until 'infinity'"))
                .isEqualTo("create user bob encrypted password '[redacted]' valid until 'infinity'");
    }

    @Test
    void doubledQuotesInsideThePasswordDoNotEndTheLiteral() {
        assertThat(SecretRedactor.redact("ALTER USER x PASSWORD 'it''s secret' LOGIN"))
                .isEqualTo("ALTER USER x PASSWORD '[redacted]' LOGIN");
    }

    @Test
    void escapeStringPasswordIsRedacted() {
        assertThat(SecretRedactor.redact("ALTER ROLE x PASSWORD E'back\\'slash' LOGIN"))
                .isEqualTo("ALTER ROLE x PASSWORD '[redacted]' LOGIN");
    }

    @Test
    void dollarQuotedPasswordIsRedacted() {
        assertThat(SecretRedactor.redact("ALTER ROLE x PASSWORD $pw$don't$pw$ LOGIN"))
                .isEqualTo("ALTER ROLE x PASSWORD '[redacted]' LOGIN");
        assertThat(SecretRedactor.redact("ALTER ROLE x PASSWORD $$plain$$"))
                .isEqualTo("ALTER ROLE x PASSWORD '[redacted]'");
    }

    @Test
    void unterminatedPasswordIsRedactedToTheEnd() {
        assertThat(SecretRedactor.redact("ALTER ROLE x PASSWORD 'never closed"))
                .isEqualTo("ALTER ROLE x PASSWORD '[redacted]'");
    }

    @Test
    void passwordSpreadOverLinesIsRedacted() {
        assertThat(SecretRedactor.redact("ALTER ROLE x\nPASSWORD\n\t'multi'"))
                .isEqualTo("ALTER ROLE x\nPASSWORD\n\t'[redacted]'");
    }

    @Test
    void everyPasswordInTheTextIsRedacted() {
        assertThat(SecretRedactor.redact("CREATE ROLE a PASSWORD 'one'; CREATE ROLE b PASSWORD 'two';"))
                .isEqualTo("CREATE ROLE a PASSWORD '[redacted]'; CREATE ROLE b PASSWORD '[redacted]';");
    }

    @Test
    void connectionStringPasswordIsRedacted() {
        assertThat(SecretRedactor.redact("SELECT dblink_connect('host=db password=s3cret dbname=app')"))
                .isEqualTo("SELECT dblink_connect('host=db password=[redacted] dbname=app')");
        assertThat(SecretRedactor.redact("SELECT dblink_connect('host=db password=''s e c'' dbname=app')"))
                .isEqualTo("SELECT dblink_connect('host=db password='[redacted]' dbname=app')");
    }

    @Test
    void userMappingOptionIsRedacted() {
        assertThat(SecretRedactor.redact("CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', password 'pw')"))
                .isEqualTo("CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', password '[redacted]')");
    }

    @Test
    void wordsThatOnlyContainPasswordAreLeftAlone() {
        String sql = "SET password_encryption = 'scram-sha-256'; SELECT my_password FROM t";
        assertThat(SecretRedactor.redact(sql)).isEqualTo(sql);
    }

    @Test
    void passwordWithoutLiteralIsLeftAlone() {
        assertThat(SecretRedactor.redact("ALTER ROLE x PASSWORD NULL")).isEqualTo("ALTER ROLE x PASSWORD NULL");
        assertThat(SecretRedactor.redact("SELECT 1 -- password")).isEqualTo("SELECT 1 -- password");
    }
}
