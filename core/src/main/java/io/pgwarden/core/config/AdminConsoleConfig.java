package io.pgwarden.core.config;

import java.util.Objects;
import java.util.Set;

/**
 * The admin console ({@code admin.console:}): clients that ask for database {@code pgwarden} and
 * log in, after the normal auth rules, as one of {@code users} get the console instead of a backend.
 * Off when the list is empty.
 *
 * @param users the database roles allowed into the console
 */
public record AdminConsoleConfig(Set<String> users) {

    /** The database name a client asks for to reach the console. */
    public static final String DATABASE = "pgwarden";

    /** No console: the default. */
    public static final AdminConsoleConfig DISABLED = new AdminConsoleConfig(Set.of());

    /** Checks for null and copies the set. */
    public AdminConsoleConfig {
        users = Set.copyOf(Objects.requireNonNull(users, "users"));
    }

    /**
     * Whether the console is on.
     *
     * @return true when at least one user is listed
     */
    public boolean enabled() {
        return !users.isEmpty();
    }

    /**
     * Whether a role may use the console.
     *
     * @param role the database role the session authenticated as
     * @return true when it is listed
     */
    public boolean admits(String role) {
        return users.contains(role);
    }
}
