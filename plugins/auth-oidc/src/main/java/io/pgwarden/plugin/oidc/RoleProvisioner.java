package io.pgwarden.plugin.oidc;

import io.pgwarden.plugin.oidc.ProvisioningMetrics.Action;
import java.lang.System.Logger.Level;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Provisioning through the admin side connection. The role's state is read first without a transaction; a role in
 * step ends there. Changes are decided again and made in one transaction, under a lock per role name in this pgwarden
 * and a transaction-scoped advisory lock in PostgreSQL (for several pgwarden instances), so simultaneous logins of one
 * person that change it run one after the other and the later ones find the role made. A role that exists and is not a
 * direct member of the marker role was not made by pgwarden and is never changed.
 */
final class RoleProvisioner implements Provisioner {

    /** The first key of the advisory locks ("pgwd"); the second is {@code hashtext(role)}. */
    static final int ADVISORY_LOCK_CLASS = 0x70677764;

    private static final String LOCK = "SELECT pg_advisory_xact_lock(?, hashtext(?))";
    private static final String ROLE_EXISTS = "SELECT 1 FROM pg_roles WHERE rolname::text = ?";
    /**
     * The role's LOGIN attribute, whether it is managed, its managed memberships, and whether the service account is a
     * member of it. Managed means a direct member of the marker without ADMIN OPTION: PostgreSQL 16 makes a
     * CREATEROLE admin a member of every role it creates, with ADMIN OPTION, so the admin is a member of the marker
     * too and must not count as a person. Roles with powers a person's role never gets from pgwarden, the admin and
     * the service account never count either, whatever was granted to them.
     */
    private static final String STATE = "SELECT r.rolcanlogin,"
            + " EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            + " WHERE m.member = r.oid AND g.rolname::text = ? AND NOT m.admin_option)"
            + " AND NOT (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls)"
            + " AND r.rolname::text <> ALL (?),"
            + " ARRAY (SELECT DISTINCT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            + " WHERE m.member = r.oid AND g.rolname::text = ANY (?)),"
            + " EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles s ON s.oid = m.member"
            + " WHERE m.roleid = r.oid AND s.rolname::text = ?)"
            + " FROM pg_roles r WHERE r.rolname::text = ?";

    /** The admin's data source for a backend. */
    @FunctionalInterface
    interface AdminConnections {
        /**
         * The pool of admin connections to a backend.
         *
         * @param backend the backend's name
         * @return the data source
         */
        DataSource forBackend(String backend);
    }

    private final ProvisioningSettings settings;
    private final Optional<RoleName> serviceAccount;
    private final AdminConnections connections;
    private final ProvisioningMetrics metrics;
    private final System.Logger logger;
    private final RoleLocks locks = new RoleLocks();

    /**
     * Creates the provisioner.
     *
     * @param settings the {@code provisioning} section
     * @param serviceAccount {@code set_role.user}, when set-role is configured
     * @param connections the admin's pools, by backend
     * @param metrics the counters
     * @param logger the plugin's logger
     */
    RoleProvisioner(ProvisioningSettings settings, Optional<RoleName> serviceAccount, AdminConnections connections,
                    ProvisioningMetrics metrics, System.Logger logger) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.serviceAccount = Objects.requireNonNull(serviceAccount, "serviceAccount");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    @Override
    public void provision(String sessionId, PersonIdentity person, String strategy, String backend)
            throws LoginRefusedException, ProvisioningFailedException {
        RoleName role = personRole(sessionId, person);
        boolean login = switch (strategy) {
            case OidcAuthSettings.CLIENT_CERT -> true;
            case OidcAuthSettings.SET_ROLE -> false;
            // RuleOptions refuses provision: true with any other strategy at start.
            default -> throw new IllegalStateException("provisioning does not apply to strategy " + strategy);
        };
        if (!login && serviceAccount.isEmpty()) {
            throw new IllegalStateException("set-role provisioning without set_role.user");
        }
        Set<RoleName> desired = settings.desired(person.groups());
        // Empty when the role exists and is not managed: nothing was changed.
        Optional<ProvisioningPlan> done;
        try {
            // A person whose role is in step (most logins) costs two reads, without a transaction or a lock; only a
            // change takes the locks and decides again under them, since another login may have made it meanwhile.
            done = withConnection(backend, connection -> plan(connection, backend, role, login, desired));
            if (done.isPresent() && !done.get().statements().isEmpty()) {
                done = locks.withLock(role.name(), () -> inTransaction(backend, connection -> {
                    lock(connection, role);
                    Optional<ProvisioningPlan> changes = plan(connection, backend, role, login, desired);
                    if (changes.isPresent()) {
                        execute(connection, changes.get());
                    }
                    return changes;
                }));
            }
        } catch (SQLException e) {
            throw failed(sessionId, "provision", role, backend, e);
        }
        if (done.isEmpty()) {
            metrics.count(Action.REFUSED, 1);
            String message = "role \"" + role + "\" exists and is not managed by pgwarden";
            logger.log(Level.WARNING, "[" + sessionId + "] provisioning refused: " + message + " (pgwarden manages only roles marked by "
                    + "membership in \"" + settings.marker() + "\" on backend " + backend + "); it is left unchanged");
            throw new LoginRefusedException(message);
        }
        ProvisioningPlan plan = done.get();
        metrics.count(Action.CREATED, plan.created() ? 1 : 0);
        metrics.count(Action.GRANTED, plan.granted().size());
        metrics.count(Action.REVOKED, plan.revoked().size());
        if (!plan.statements().isEmpty()) {
            logger.log(Level.INFO, "[" + sessionId + "] provisioning of role \"" + role + "\" on backend " + backend + ": "
                    + (plan.created() ? "created, " : "") + "granted " + names(plan.granted()) + ", revoked " + names(plan.revoked()));
        }
    }

    @Override
    public void deprovision(String sessionId, PersonIdentity person, String backend) {
        Optional<String> problem = RoleName.problem(person.role());
        if (problem.isPresent()) {
            return;
        }
        RoleName role = new RoleName(person.role());
        ProvisioningPlan plan;
        try {
            plan = locks.withLock(role.name(), () -> inTransaction(backend, connection -> {
                lock(connection, role);
                ProvisioningPlan changes = ProvisioningPlan.deprovision(role, serviceAccount, current(connection, role));
                execute(connection, changes);
                return changes;
            }));
        } catch (SQLException e) {
            failed(sessionId, "deprovision", role, backend, e);
            return;
        }
        if (!plan.statements().isEmpty()) {
            metrics.count(Action.DEPROVISIONED, 1);
            metrics.count(Action.REVOKED, plan.revoked().size());
            logger.log(Level.INFO, "[" + sessionId + "] deprovisioned role \"" + role + "\" on backend " + backend
                    + ": it has no allowed group; NOLOGIN, revoked " + names(plan.revoked()));
        }
    }

    /** The login's changes as the role is now; empty when the role exists and is not managed. */
    private Optional<ProvisioningPlan> plan(Connection connection, String backend, RoleName role, boolean login, Set<RoleName> desired)
            throws SQLException {
        requireMarker(connection, backend);
        ProvisioningPlan.Current current = current(connection, role);
        if (current.exists() && !current.managed()) {
            return Optional.empty();
        }
        ProvisioningPlan.Use use = new ProvisioningPlan.Use(login, login ? Optional.empty() : serviceAccount,
                connection.getMetaData().getDatabaseMajorVersion() >= 16);
        return Optional.of(ProvisioningPlan.login(role, use, settings.marker(), desired, current));
    }

    private RoleName personRole(String sessionId, PersonIdentity person) throws LoginRefusedException {
        Optional<String> problem = RoleName.problem(person.role());
        RoleName role = problem.isEmpty() ? new RoleName(person.role()) : null;
        if (role == null || role.reserved()) {
            metrics.count(Action.REFUSED, 1);
            String message = "cannot provision role \"" + person.role() + "\": the name " + problem.orElse("is reserved by PostgreSQL");
            logger.log(Level.WARNING, "[" + sessionId + "] provisioning refused: " + message);
            throw new LoginRefusedException(message);
        }
        return role;
    }

    /** Statements run in one transaction on an admin connection. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T withConnection(String backend, Work<T> work) throws SQLException {
        try (Connection connection = dataSource(backend).getConnection()) {
            return work.run(connection);
        }
    }

    private <T> T inTransaction(String backend, Work<T> work) throws SQLException {
        try (Connection connection = dataSource(backend).getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    private DataSource dataSource(String backend) throws SQLException {
        try {
            return connections.forBackend(backend);
        } catch (IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), "08006", e);
        }
    }

    private static void lock(Connection connection, RoleName role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(LOCK)) {
            statement.setInt(1, ADVISORY_LOCK_CLASS);
            statement.setString(2, role.name());
            statement.execute();
        }
    }

    private void requireMarker(Connection connection, String backend) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(ROLE_EXISTS)) {
            statement.setString(1, settings.marker().name());
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("the marker role \"" + settings.marker() + "\" (" + settings.path()
                            + ".marker_role) does not exist on backend " + backend + "; create it: CREATE ROLE "
                            + settings.marker().quoted() + " NOLOGIN", "42704");
                }
            }
        }
    }

    private ProvisioningPlan.Current current(Connection connection, RoleName role) throws SQLException {
        Set<RoleName> managed = settings.managed();
        try (PreparedStatement statement = connection.prepareStatement(STATE)) {
            Array managedNames = connection.createArrayOf("text", managed.stream().map(RoleName::name).toArray());
            List<String> neverManaged = new ArrayList<>(List.of(settings.adminUser()));
            serviceAccount.ifPresent(account -> neverManaged.add(account.name()));
            statement.setString(1, settings.marker().name());
            statement.setArray(2, connection.createArrayOf("text", neverManaged.toArray()));
            statement.setArray(3, managedNames);
            statement.setString(4, serviceAccount.map(RoleName::name).orElse(""));
            statement.setString(5, role.name());
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return ProvisioningPlan.Current.MISSING;
                }
                Set<String> memberships = new HashSet<>(Arrays.asList((String[]) rows.getArray(3).getArray()));
                Set<RoleName> current = new LinkedHashSet<>();
                // In configuration order, so that the statements come in a stable order.
                for (RoleName group : managed) {
                    if (memberships.contains(group.name())) {
                        current.add(group);
                    }
                }
                return new ProvisioningPlan.Current(true, rows.getBoolean(2), rows.getBoolean(1), current,
                        serviceAccount.isPresent() && rows.getBoolean(4));
            }
        }
    }

    private static void execute(Connection connection, ProvisioningPlan plan) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : plan.statements()) {
                statement.execute(sql);
            }
        }
    }

    private ProvisioningFailedException failed(String sessionId, String what, RoleName role, String backend, SQLException e) {
        metrics.count(Action.FAILED, 1);
        // The server's and the pool's messages name roles, privileges and timeouts, never the admin's password.
        StringBuilder cause = new StringBuilder("SQLSTATE " + e.getSQLState() + ": " + e.getMessage());
        // The pool's "connection is not available" hides why (the server refused the password, say) in its cause.
        for (Throwable inner = e.getCause(); inner != null && inner != inner.getCause(); inner = inner.getCause()) {
            if (inner instanceof SQLException && inner.getMessage() != null && cause.indexOf(inner.getMessage()) < 0) {
                cause.append("; caused by: ").append(inner.getMessage());
            }
        }
        logger.log(Level.WARNING, "[" + sessionId + "] could not " + what + " role \"" + role + "\" on backend " + backend + " as \""
                + settings.adminUser() + "\" (" + settings.path() + "): " + cause);
        return new ProvisioningFailedException("could not provision role \"" + role + "\"; pgwarden's log says why",
                "provisioning failed: " + cause);
    }

    private static List<String> names(Set<RoleName> roles) {
        return roles.stream().map(RoleName::name).toList();
    }

    @Override
    public String toString() {
        return "RoleProvisioner[" + settings + "]";
    }
}
