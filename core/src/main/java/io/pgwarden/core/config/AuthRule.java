package io.pgwarden.core.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One auth rule ({@code auth.rules[i]:}).
 *
 * @param path the rule's YAML path, for messages
 * @param database a database name pattern ({@code *} matches any run of characters); default {@code *}
 * @param user a user name pattern; default {@code *}
 * @param addresses client networks in CIDR form; empty matches any address
 * @param tlsRequired when true the rule matches only clients that use TLS; default false
 * @param method the auth method, e.g. {@code trust} or {@code passthrough}
 * @param backend the backend name; default the first backend
 * @param login the fixed backend login ({@code login: {user, password, database}}), or {@code null}
 *              to log in as the client's user to the client's database
 * @param options every other key of the rule, for the method
 */
public record AuthRule(String path, String database, String user, List<Cidr> addresses, boolean tlsRequired,
                       String method, String backend, LoginConfig login, Map<String, String> options) {

    /** Checks for null and copies the collections. */
    public AuthRule {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(backend, "backend");
        addresses = List.copyOf(addresses);
        options = Map.copyOf(options);
    }

    /**
     * A fixed backend login for a rule.
     *
     * @param user the database user
     * @param password the resolved password, or {@code null} for none
     * @param database the database, or {@code null} for the client's
     */
    public record LoginConfig(String user, String password, String database) {
        /** Checks for null. */
        public LoginConfig {
            Objects.requireNonNull(user, "user");
        }

        @Override
        public String toString() {
            return "LoginConfig[user=" + user + ", password=" + (password == null ? "none" : "***") + ", database=" + database + "]";
        }
    }
}
