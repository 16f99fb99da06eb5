package io.pgwarden.testkit;

/** How PostgreSQL stores a role's password: the {@code password_encryption} setting at CREATE ROLE. */
public enum PasswordEncryption {
    /** {@code md5}: the legacy hash; deprecated since PostgreSQL 18, which warns but accepts it. */
    MD5("md5"),
    /** {@code scram-sha-256}: a SCRAM verifier, PostgreSQL's default. */
    SCRAM_SHA_256("scram-sha-256");

    private final String setting;

    PasswordEncryption(String setting) {
        this.setting = setting;
    }

    /** The value of {@code password_encryption} that selects this storage. */
    public String setting() {
        return setting;
    }
}
