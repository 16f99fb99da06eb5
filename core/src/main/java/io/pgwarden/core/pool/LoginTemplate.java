package io.pgwarden.core.pool;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a pool's servers report at startup, and how the server spells the values clients ask for,
 * learnt from the settings plans it ran ({@code DateStyle=iso} comes back as {@code ISO, MDY}). With
 * both, a client can be logged in without a server: it gets the ParameterStatus values a server
 * would send, and attaches a server only with its first message, as PgBouncer does.
 */
final class LoginTemplate {

    private volatile Map<String, String> startup;
    /** "name\0requested value" to the value the server reported for it. */
    private final ConcurrentHashMap<String, String> spelled = new ConcurrentHashMap<>();

    /** A server of the pool connected: the first one's startup values become the template. */
    void serverStarted(Map<String, String> parameters) {
        if (startup == null) {
            startup = Map.copyOf(parameters);
        }
    }

    /** @return the reported setting names, or null before the first server started */
    java.util.Set<String> names() {
        Map<String, String> base = startup;
        return base == null ? null : base.keySet();
    }

    /** A plan set {@code requested} and the server reports {@code reported}. */
    void learnt(String name, String requested, String reported) {
        if (spelled.size() < 1024) {
            spelled.put(name + '\0' + requested, reported);
        }
    }

    /**
     * The ParameterStatus values for a client, or null when the pool does not know them yet (no
     * server started, or a requested value whose spelling the server has not shown).
     *
     * @param requested the client's reported settings as it asked for them
     * @return the values in the server's order and spelling, or null
     */
    Map<String, String> parameters(Map<String, String> requested) {
        Map<String, String> base = startup;
        if (base == null) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>(base);
        for (Map.Entry<String, String> setting : requested.entrySet()) {
            String current = base.get(setting.getKey());
            if (setting.getValue().equals(current)) {
                continue;
            }
            String spelling = spelled.get(setting.getKey() + '\0' + setting.getValue());
            if (spelling == null) {
                return null;
            }
            values.put(setting.getKey(), spelling);
        }
        return values;
    }
}
