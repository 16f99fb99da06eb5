package io.pgwarden.plugin.oidc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A JDBC stand-in for the admin's server holding one managed LOGIN role with the given memberships: it answers
 * {@link RoleProvisioner}'s reads and records every statement and transaction call, so a unit test can see what a
 * login costs the server.
 */
final class FakeAdminDatabase {

    private final List<String> memberships;
    private final List<String> calls = new ArrayList<>();

    /**
     * Creates the database.
     *
     * @param memberships the role's managed memberships
     */
    FakeAdminDatabase(List<String> memberships) {
        this.memberships = List.copyOf(memberships);
    }

    /** What the provisioner did, in order: SQL text, {@code autoCommit=false}, {@code commit}, {@code rollback}. */
    List<String> calls() {
        return calls;
    }

    /** A data source whose every connection talks to this database. */
    DataSource dataSource() {
        return proxy(DataSource.class, (self, method, args) -> switch (method.getName()) {
            case "getConnection" -> connection();
            default -> throw new UnsupportedOperationException(method.getName());
        });
    }

    private Connection connection() {
        return proxy(Connection.class, (self, method, args) -> switch (method.getName()) {
            case "setAutoCommit" -> {
                calls.add("autoCommit=" + args[0]);
                yield null;
            }
            case "commit", "rollback" -> {
                calls.add(method.getName());
                yield null;
            }
            case "close" -> null;
            case "prepareStatement" -> statement((String) args[0]);
            case "createStatement" -> statement(null);
            case "createArrayOf" -> proxy(Array.class, (a, m, x) -> null);
            case "getMetaData" -> proxy(DatabaseMetaData.class, (a, m, x) -> 16);
            default -> throw new UnsupportedOperationException(method.getName());
        });
    }

    private PreparedStatement statement(String sql) {
        return proxy(PreparedStatement.class, (self, method, args) -> switch (method.getName()) {
            case "setString", "setInt", "setArray", "close" -> null;
            case "execute" -> {
                calls.add(args == null ? sql : (String) args[0]);
                yield true;
            }
            case "executeQuery" -> {
                calls.add(sql);
                yield row();
            }
            default -> throw new UnsupportedOperationException(method.getName());
        });
    }

    /** One row: the marker exists; the role can log in, is managed, has the memberships, is not granted to anyone. */
    private ResultSet row() {
        boolean[] read = {false};
        Array array = proxy(Array.class, (self, method, args) -> memberships.toArray(String[]::new));
        return proxy(ResultSet.class, (self, method, args) -> switch (method.getName()) {
            case "next" -> {
                boolean first = !read[0];
                read[0] = true;
                yield first;
            }
            case "getBoolean" -> (int) args[0] != 4;
            case "getArray" -> array;
            case "close" -> null;
            default -> throw new UnsupportedOperationException(method.getName());
        });
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(FakeAdminDatabase.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
