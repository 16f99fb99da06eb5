package io.pgwarden.plugin.oidc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What provisioning changes for one person, worked out from the role's state as the admin connection read it under
 * the person's lock: the statements to run, in order, with every role name quoted. No I/O here, so every rule of
 * provisioning can be tested without a server.
 *
 * @param statements the statements, in order; empty when nothing changes
 * @param created whether the role is created
 * @param granted the managed group roles granted
 * @param revoked the managed group roles revoked
 */
record ProvisioningPlan(List<String> statements, boolean created, Set<RoleName> granted, Set<RoleName> revoked) {

    /** Copies the collections, keeping their order. */
    ProvisioningPlan {
        statements = List.copyOf(statements);
        granted = Collections.unmodifiableSet(new LinkedHashSet<>(granted));
        revoked = Collections.unmodifiableSet(new LinkedHashSet<>(revoked));
    }

    /**
     * The person's role as it is now.
     *
     * @param exists whether a role of that name exists
     * @param managed whether it is a direct member of the marker role
     * @param canLogin its LOGIN attribute
     * @param memberships its direct memberships among the managed group roles
     * @param grantedToServiceAccount whether the set-role service account is a direct member of it
     */
    record Current(boolean exists, boolean managed, boolean canLogin, Set<RoleName> memberships, boolean grantedToServiceAccount) {
        /** No role of that name. */
        static final Current MISSING = new Current(false, false, false, Set.of(), false);

        /** Copies the set, keeping its order. */
        Current {
            memberships = Collections.unmodifiableSet(new LinkedHashSet<>(memberships));
        }
    }

    /**
     * How the rule's strategy uses the role.
     *
     * @param login true for client-cert (the role logs in itself), false for set-role (NOLOGIN, taken by the service account)
     * @param serviceAccount the set-role service account, empty for client-cert
     * @param grantOptions whether the server knows {@code GRANT ... WITH INHERIT FALSE, SET TRUE} (PostgreSQL 16 and later)
     */
    record Use(boolean login, Optional<RoleName> serviceAccount, boolean grantOptions) {
        /** Checks for null. */
        Use {
            Objects.requireNonNull(serviceAccount, "serviceAccount");
            if (login == serviceAccount.isPresent()) {
                throw new IllegalArgumentException("a LOGIN role is used without a service account, a NOLOGIN role with one");
            }
        }
    }

    /** Nothing to do. */
    static final ProvisioningPlan NOTHING = new ProvisioningPlan(List.of(), false, Set.of(), Set.of());

    /**
     * The changes at login. A role that exists and is not managed is never changed: the caller refuses the login.
     *
     * @param role the person's role
     * @param use how the strategy uses it
     * @param marker the marker role
     * @param desired the managed group roles the token's groups give
     * @param current the role as it is
     * @return the plan
     * @throws IllegalArgumentException when the role exists and is not managed
     */
    static ProvisioningPlan login(RoleName role, Use use, RoleName marker, Set<RoleName> desired, Current current) {
        if (current.exists() && !current.managed()) {
            throw new IllegalArgumentException("the role is not managed by pgwarden");
        }
        List<String> statements = new ArrayList<>();
        String login = use.login() ? "LOGIN" : "NOLOGIN";
        if (!current.exists()) {
            statements.add("CREATE ROLE " + role.quoted() + " " + login);
            // The marker only marks: its members take none of its privileges and cannot SET ROLE to it.
            statements.add("GRANT " + marker.quoted() + " TO " + role.quoted()
                    + (use.grantOptions() ? " WITH INHERIT FALSE, SET FALSE" : ""));
        } else if (current.canLogin() != use.login()) {
            statements.add("ALTER ROLE " + role.quoted() + " " + login);
        }
        Set<RoleName> granted = new LinkedHashSet<>(desired);
        granted.removeAll(current.memberships());
        Set<RoleName> revoked = new LinkedHashSet<>(current.memberships());
        revoked.removeAll(desired);
        for (RoleName group : granted) {
            statements.add("GRANT " + group.quoted() + " TO " + role.quoted());
        }
        for (RoleName group : revoked) {
            statements.add("REVOKE " + group.quoted() + " FROM " + role.quoted());
        }
        if (use.serviceAccount().isPresent() && !current.grantedToServiceAccount()) {
            // The service account may SET ROLE to the person but takes none of the person's privileges itself.
            statements.add("GRANT " + role.quoted() + " TO " + use.serviceAccount().get().quoted()
                    + (use.grantOptions() ? " WITH INHERIT FALSE, SET TRUE" : ""));
        }
        return new ProvisioningPlan(statements, !current.exists(), granted, revoked);
    }

    /**
     * The changes when a person lost every allowed group: a managed role becomes NOLOGIN and loses its managed
     * memberships and the service account's grant. It is not dropped: the objects it owns and the audit trail naming
     * it stay. A role that is missing or not managed is left alone.
     *
     * @param role the person's role
     * @param serviceAccount the set-role service account, when one is configured
     * @param current the role as it is
     * @return the plan
     */
    static ProvisioningPlan deprovision(RoleName role, Optional<RoleName> serviceAccount, Current current) {
        if (!current.exists() || !current.managed()) {
            return NOTHING;
        }
        List<String> statements = new ArrayList<>();
        if (current.canLogin()) {
            statements.add("ALTER ROLE " + role.quoted() + " NOLOGIN");
        }
        for (RoleName group : current.memberships()) {
            statements.add("REVOKE " + group.quoted() + " FROM " + role.quoted());
        }
        if (serviceAccount.isPresent() && current.grantedToServiceAccount()) {
            statements.add("REVOKE " + role.quoted() + " FROM " + serviceAccount.get().quoted());
        }
        return new ProvisioningPlan(statements, false, Set.of(), current.memberships());
    }
}
