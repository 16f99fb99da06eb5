package io.pgwarden.core.pool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The session state a client expects from whichever server it gets: the settings the server reports
 * (as the client last saw them in ParameterStatus), the settings from its startup packet that the
 * server does not report (such as {@code extra_float_digits}, or {@code -c} options), and the
 * session initialization of its login.
 *
 * <p>The {@code role} startup parameter is not a setting here: it goes into the startup packet of the
 * pool's servers and into the {@link PoolKey}, so that {@code RESET ROLE} returns to it; it is never
 * applied or reset on attach.
 */
public final class ClientSettings {

    private static final Set<String> NOT_SETTINGS = Set.of("user", "database", "replication", "options", PoolKey.ROLE);

    private final Map<String, String> reported = new LinkedHashMap<>();
    private final Map<String, String> unreported = new HashMap<>();
    private final List<String> init;
    private boolean viewKnown;

    private ClientSettings(List<String> init) {
        this.init = List.copyOf(init);
    }

    /**
     * The settings a client asked for in its startup packet, sorted by what the server reports.
     *
     * @param startup the startup parameters (and those an interceptor added)
     * @param serverReported the names a server of the pool reports
     * @param init the login's session initialization
     * @return the settings; the reported values are the raw requests until {@link #seen} is called
     * @throws IllegalArgumentException when {@code options} holds something other than {@code -c name=value}, or
     *         the role is asked for in another way than the {@code role} startup parameter
     */
    public static ClientSettings fromStartup(Map<String, String> startup, Set<String> serverReported, List<String> init) {
        ClientSettings settings = new ClientSettings(init);
        Map<String, String> byLowerName = new HashMap<>();
        for (String name : serverReported) {
            byLowerName.put(name.toLowerCase(Locale.ROOT), name);
        }
        Map<String, String> requested = new LinkedHashMap<>();
        String options = startup.get("options");
        if (options != null) {
            requested.putAll(StartupOptions.parse(options));
        }
        for (Map.Entry<String, String> parameter : startup.entrySet()) {
            if (!NOT_SETTINGS.contains(parameter.getKey())) {
                requested.put(parameter.getKey(), parameter.getValue());
            }
        }
        for (Map.Entry<String, String> entry : requested.entrySet()) {
            String lower = entry.getKey().toLowerCase(Locale.ROOT);
            if (lower.equals(PoolKey.ROLE)) {
                // Set on attach, RESET ROLE would return to the pool's startup role: another client's.
                throw new IllegalArgumentException("pgwarden takes the role only as the startup parameter \"role\","
                        + " not as \"" + entry.getKey() + "\" or in the options parameter");
            }
            String reportedName = byLowerName.get(lower);
            if (reportedName != null) {
                settings.reported.put(reportedName, entry.getValue());
            } else {
                settings.unreported.put(lower, entry.getValue());
            }
        }
        return settings;
    }

    /**
     * The reported settings: what the client saw, once {@link #seen} was called; before that, the raw
     * values it asked for at startup.
     *
     * @return name to value, mutable by the session as ParameterStatus messages pass
     */
    public Map<String, String> reported() {
        return reported;
    }

    /** @return settings the server does not report, lower-case name to value */
    public Map<String, String> unreported() {
        return unreported;
    }

    /** @return the session initialization statements */
    public List<String> init() {
        return init;
    }

    /** @return whether the client has seen a server's settings (its login is complete) */
    public boolean viewKnown() {
        return viewKnown;
    }

    /**
     * The client was sent these values at login: from now on they are what it expects.
     *
     * @param serverReported the server's reported settings after the startup settings were applied
     */
    public void seen(Map<String, String> serverReported) {
        reported.clear();
        reported.putAll(serverReported);
        viewKnown = true;
    }

    /**
     * A ParameterStatus passed to the client.
     *
     * @param name the setting
     * @param value its value
     */
    public void changed(String name, String value) {
        reported.put(name, value);
    }

    /** Parses the {@code options} startup parameter as PostgreSQL does for {@code -c name=value} and {@code --name=value}. */
    static final class StartupOptions {
        private StartupOptions() {
        }

        static Map<String, String> parse(String options) {
            List<String> words = split(options);
            Map<String, String> settings = new LinkedHashMap<>();
            for (int i = 0; i < words.size(); i++) {
                String word = words.get(i);
                String pair;
                if (word.equals("-c") && i + 1 < words.size()) {
                    pair = words.get(++i);
                } else if (word.startsWith("-c") && word.length() > 2) {
                    pair = word.substring(2);
                } else if (word.startsWith("--") && word.length() > 2) {
                    pair = word.substring(2);
                } else {
                    throw new IllegalArgumentException("unsupported option \"" + word + "\" in the options parameter;"
                            + " pgwarden passes only -c name=value");
                }
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("option \"" + pair + "\" needs the form name=value");
                }
                settings.put(pair.substring(0, equals).replace('-', '_'), pair.substring(equals + 1));
            }
            return settings;
        }

        /** Words separated by whitespace; a backslash makes the next character literal (as in libpq's options). */
        private static List<String> split(String options) {
            List<String> words = new ArrayList<>();
            StringBuilder word = new StringBuilder();
            boolean inWord = false;
            for (int i = 0; i < options.length(); i++) {
                char c = options.charAt(i);
                if (c == '\\' && i + 1 < options.length()) {
                    word.append(options.charAt(++i));
                    inWord = true;
                } else if (Character.isWhitespace(c)) {
                    if (inWord) {
                        words.add(word.toString());
                        word.setLength(0);
                        inWord = false;
                    }
                } else {
                    word.append(c);
                    inWord = true;
                }
            }
            if (inWord) {
                words.add(word.toString());
            }
            return words;
        }
    }
}
