package io.pgwarden.core.pool;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The statements that give a server the session state its next client expects, or nothing when it
 * has it already. Settings are compared by value; a server that ran another login's session
 * initialization is first returned to its startup state ({@code SET SESSION AUTHORIZATION DEFAULT;
 * RESET ALL}), every setting the client expects is then set explicitly, and the client's session
 * initialization runs last.
 */
public final class SettingsPlan {

    /** Reported by PostgreSQL but not settable by SET. */
    static final Set<String> READ_ONLY = Set.of("server_version", "server_encoding", "integer_datetimes", "is_superuser",
            "session_authorization", "in_hot_standby");

    private SettingsPlan() {
    }

    /**
     * Whether a reported setting can be carried to another server with SET.
     *
     * @param name the name as reported
     * @return true when the proxy re-applies it
     */
    public static boolean movable(String name) {
        return !READ_ONLY.contains(name.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Whether {@link #sql} has anything to run; the per-transaction check, so it allocates nothing.
     *
     * @param server the server
     * @param client what the client expects
     * @return true when the server's state differs from what the client expects
     */
    public static boolean differs(PooledServer server, ClientSettings client) {
        if (!server.init().equals(client.init())) {
            return true;
        }
        Map<String, String> reported = server.reported();
        for (Map.Entry<String, String> setting : client.reported().entrySet()) {
            if (!setting.getValue().equals(reported.get(setting.getKey())) && movable(setting.getKey())) {
                return true;
            }
        }
        Map<String, String> unreported = server.unreported();
        return unreported.size() != client.unreported().size() || !unreported.equals(client.unreported());
    }

    /**
     * The statements to run, or null when the server is already right.
     *
     * @param server the server
     * @param client what the client expects
     * @return one string of statements separated by semicolons, or null
     */
    public static String sql(PooledServer server, ClientSettings client) {
        StringBuilder sql = new StringBuilder();
        boolean initChanges = !server.init().equals(client.init());
        boolean reset = initChanges && !server.init().isEmpty();
        Map<String, String> serverReported = reset ? server.baseline() : server.reported();
        Map<String, String> serverUnreported = reset ? Map.of() : server.unreported();
        if (reset) {
            sql.append("SET SESSION AUTHORIZATION DEFAULT;RESET ALL;");
        }
        for (Map.Entry<String, String> setting : client.reported().entrySet()) {
            if (movable(setting.getKey()) && (initChanges || !setting.getValue().equals(serverReported.get(setting.getKey())))) {
                set(sql, setting.getKey(), setting.getValue());
            }
        }
        for (Map.Entry<String, String> setting : client.unreported().entrySet()) {
            if (!setting.getValue().equals(serverUnreported.get(setting.getKey()))) {
                set(sql, setting.getKey(), setting.getValue());
            }
        }
        for (String name : serverUnreported.keySet()) {
            if (!client.unreported().containsKey(name)) {
                sql.append("RESET ").append(identifier(name)).append(';');
            }
        }
        // The login's initialization goes last, so that no setting a client asked for can undo it.
        if (initChanges) {
            for (String statement : client.init()) {
                sql.append(statement).append(';');
            }
        }
        return sql.length() == 0 ? null : sql.toString();
    }

    /**
     * Records that the statements of {@link #sql} succeeded: the server now holds the client's state.
     * Reported values arrive as ParameterStatus while the statements run.
     *
     * @param server the server
     * @param client the client
     */
    public static void applied(PooledServer server, ClientSettings client) {
        // The server now holds the client's values, spelt its own way (DateStyle iso -> "ISO, MDY"):
        // the client expects that spelling from now on, and the pool learns it for later logins.
        for (Map.Entry<String, String> setting : client.reported().entrySet()) {
            String reported = server.reported().get(setting.getKey());
            if (reported == null || !movable(setting.getKey())) {
                continue;
            }
            if (server.pool() != null && client.init().isEmpty()) {
                // With a session initialization the value may be the initialization's, not a spelling.
                server.pool().learnt(setting.getKey(), setting.getValue(), reported);
            }
            setting.setValue(reported);
        }
        if (!server.init().equals(client.init())) {
            server.sessionReset();
            server.init(client.init());
        }
        server.unreported().clear();
        server.unreported().putAll(client.unreported());
    }

    /**
     * set_config rather than SET: it takes the value as text, the way the startup packet and
     * ParameterStatus give it, so list settings such as search_path keep their elements.
     */
    private static void set(StringBuilder sql, String name, String value) {
        sql.append("SELECT pg_catalog.set_config(").append(literal(name)).append(", ").append(literal(value)).append(", false);");
    }

    /**
     * A setting name, each dotted part quoted. Always quoted: set_config accepts a custom setting
     * whose prefix is a reserved word ({@code user.id}, {@code select.x}), which RESET accepts only
     * as a quoted identifier; setting names are matched without regard to case either way.
     */
    static String identifier(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        List<String> parts = List.of(name.split("\\.", -1));
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                out.append('.');
            }
            out.append('"').append(parts.get(i).replace("\"", "\"\"")).append('"');
        }
        return out.toString();
    }

    /** A string constant that means the same whatever standard_conforming_strings is. */
    static String literal(String value) {
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
