package io.pgwarden.plugin.oidc;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A role name that provisioning may put into SQL: at most {@value #MAX_BYTES} bytes of UTF-8 (PostgreSQL's
 * NAMEDATALEN - 1; a longer name would be truncated by the server, so two people could end up with one role),
 * no NUL. Names come from tokens, so they are treated as hostile: in statements they
 * are always double-quoted with every {@code "} doubled, as PostgreSQL's {@code quote_ident} does, and never
 * spliced into SQL any other way.
 *
 * @param name the name, exactly as the role is called in PostgreSQL
 */
record RoleName(String name) {

    /** PostgreSQL's NAMEDATALEN - 1: the longest identifier the server keeps whole. */
    static final int MAX_BYTES = 63;

    /** Checks the name; see {@link #problem(String)}. */
    RoleName {
        Objects.requireNonNull(name, "name");
        Optional<String> problem = problem(name);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
    }

    /**
     * What is wrong with a name as a role name, if anything. The message does not repeat the name.
     *
     * @param name the candidate
     * @return the problem, empty when the name may be used
     */
    static Optional<String> problem(String name) {
        if (name.isEmpty()) {
            return Optional.of("is empty");
        }
        if (name.indexOf('\0') >= 0) {
            return Optional.of("contains a NUL character");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return Optional.of("has " + bytes + " bytes; PostgreSQL keeps at most " + MAX_BYTES + " and would cut it");
        }
        return Optional.empty();
    }

    /**
     * Whether CREATE ROLE refuses the name: {@code pg_} starts the server's predefined roles, {@code public} and
     * {@code none} are keywords where roles are named (compared as PostgreSQL does, case-sensitively).
     *
     * @return true when no role of this name can be created
     */
    boolean reserved() {
        return name.startsWith("pg_") || name.equals("public") || name.equals("none");
    }

    /**
     * The name as a quoted SQL identifier: {@code "} around it and every {@code "} inside doubled.
     *
     * @return the identifier, safe to put into any statement
     */
    String quoted() {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    @Override
    public String toString() {
        return name;
    }
}
