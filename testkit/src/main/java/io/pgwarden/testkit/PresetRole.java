package io.pgwarden.testkit;

/**
 * The roles of {@link EmbeddedPostgres#everyAuthMethod(TestCertificates)}: one per pg_hba method, each with its
 * own line for {@code 127.0.0.1/32}.
 */
public enum PresetRole {
    /** {@code host ... trust}: no password asked. */
    TRUST("trust_user", null, "host", "trust", null),
    /** {@code host ... password}: cleartext password (stored as SCRAM). */
    PASSWORD("password_user", "password-secret", "host", "password", PasswordEncryption.SCRAM_SHA_256),
    /** {@code host ... md5}: a real MD5 exchange, since the password is stored as md5. */
    MD5("md5_user", "md5-secret", "host", "md5", PasswordEncryption.MD5),
    /** {@code host ... scram-sha-256}. */
    SCRAM("scram_user", "scram-secret", "host", "scram-sha-256", PasswordEncryption.SCRAM_SHA_256),
    /** {@code hostssl ... cert}: a client certificate whose CN is the user name, from the test CA. */
    CERT("cert_user", null, "hostssl", "cert", null),
    /** {@code hostssl ... scram-sha-256} and no plaintext line: refused without TLS. */
    TLS_ONLY("tls_user", "tls-secret", "hostssl", "scram-sha-256", PasswordEncryption.SCRAM_SHA_256);

    private final String user;
    private final String password;
    private final String connectionType;
    private final String method;
    private final PasswordEncryption storage;

    PresetRole(String user, String password, String connectionType, String method, PasswordEncryption storage) {
        this.user = user;
        this.password = password;
        this.connectionType = connectionType;
        this.method = method;
        this.storage = storage;
    }

    /** The role and database user name. */
    public String user() {
        return user;
    }

    /** The password, or null for trust and cert. */
    public String password() {
        return password;
    }

    /** The pg_hba auth method name. */
    public String method() {
        return method;
    }

    /** The pg_hba line. */
    public String hbaLine() {
        return connectionType + " all " + user + " 127.0.0.1/32 " + method;
    }

    void addTo(EmbeddedPostgres.Builder builder) {
        builder.hba(hbaLine());
        if (storage == null) {
            builder.role(user);
        } else {
            builder.role(user, password, storage);
        }
    }
}
