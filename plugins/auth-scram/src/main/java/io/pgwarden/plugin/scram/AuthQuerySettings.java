package io.pgwarden.plugin.scram;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One set of {@code auth_query} settings: the section's own, or a database's under
 * {@code databases} (each key inherited from the section unless overridden), with its own cache.
 */
final class AuthQuerySettings {

    /** PgBouncer's query, adapted: only roles that can log in now. */
    static final String DEFAULT_QUERY = "SELECT rolname, rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1 AND rolcanlogin"
            + " AND (rolvaliduntil IS NULL OR rolvaliduntil > now())";
    static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(60);
    static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ofSeconds(5);
    static final int DEFAULT_NEGATIVE_CACHE_SIZE = 10_000;
    static final int MAX_NEGATIVE_CACHE_SIZE = 10_000_000;

    private static final Set<String> KEYS = Set.of("query", "user", "password", "database", "backend", "cache_ttl",
            "negative_cache_ttl", "negative_cache_size", "databases");
    private static final Set<String> DATABASE_KEYS = Set.of("query", "user", "password", "database", "backend", "cache_ttl",
            "negative_cache_ttl", "negative_cache_size", "enabled");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):[^}]+}");
    private static final Pattern NUMBERED_PARAMETER = Pattern.compile("\\$(\\d+)");

    private final String path;
    private final boolean enabled;
    private final String query;
    private final String jdbcQuery;
    private final String user;
    private final String password;
    private final String database;
    private final String backend;
    private final Duration cacheTtl;
    private final Duration negativeCacheTtl;
    private final int negativeCacheSize;
    private final LookupCache<AuthQuerySource.Key, StoredSecret> cache;
    private final AtomicBoolean warnedMultipleRows = new AtomicBoolean();

    private AuthQuerySettings(String path, boolean enabled, String query, String user, String password, String database,
            String backend, Duration cacheTtl, Duration negativeCacheTtl, int negativeCacheSize, Services services) {
        this.path = path;
        this.enabled = enabled;
        this.query = query;
        this.jdbcQuery = NUMBERED_PARAMETER.matcher(query).replaceAll("?");
        this.user = user;
        this.password = password;
        this.database = database;
        this.backend = backend;
        this.cacheTtl = cacheTtl;
        this.negativeCacheTtl = negativeCacheTtl;
        this.negativeCacheSize = negativeCacheSize;
        this.cache = new LookupCache<>(cacheTtl, negativeCacheTtl, negativeCacheSize, services.clock());
    }

    static AuthQuerySettings parseDefaults(PluginConfig section, Services services) {
        checkKeys(section, KEYS);
        String user = section.string("user").map(String::trim).filter(text -> !text.isEmpty())
                .orElseThrow(() -> new PluginConfigException(section.pathOf("user"),
                        "is required: the role auth_query logs in as to look up secrets"));
        return new AuthQuerySettings(section.path(), true,
                query(section, DEFAULT_QUERY),
                user,
                password(section, services, null),
                name(section, "database", null),
                name(section, "backend", null),
                section.duration("cache_ttl", DEFAULT_CACHE_TTL),
                section.duration("negative_cache_ttl", DEFAULT_NEGATIVE_CACHE_TTL),
                negativeCacheSize(section, DEFAULT_NEGATIVE_CACHE_SIZE),
                services);
    }

    static Map<String, AuthQuerySettings> parseDatabases(PluginConfig section, AuthQuerySettings base, Services services) {
        PluginConfig databases = section.section("databases");
        Map<String, AuthQuerySettings> result = new LinkedHashMap<>();
        for (String name : databases.values().keySet()) {
            PluginConfig entry = databases.section(name);
            checkKeys(entry, DATABASE_KEYS);
            result.put(name, new AuthQuerySettings(entry.path(),
                    entry.bool("enabled", true),
                    query(entry, base.query),
                    name(entry, "user", base.user),
                    password(entry, services, base.password),
                    name(entry, "database", base.database),
                    name(entry, "backend", base.backend),
                    entry.duration("cache_ttl", base.cacheTtl),
                    entry.duration("negative_cache_ttl", base.negativeCacheTtl),
                    negativeCacheSize(entry, base.negativeCacheSize),
                    services));
        }
        return result;
    }

    private static void checkKeys(PluginConfig section, Set<String> known) {
        for (String key : section.values().keySet()) {
            if (!known.contains(key)) {
                String hint = key.equals("databases") ? "databases cannot be nested"
                        : "unknown key; known: " + String.join(", ", known.stream().sorted().toList());
                throw new PluginConfigException(section.pathOf(key), hint);
            }
        }
    }

    private static String query(PluginConfig section, String inherited) {
        Optional<String> text = section.string("query");
        if (text.isEmpty()) {
            return inherited;
        }
        String query = text.get().trim();
        int numbered = 0;
        Matcher matcher = NUMBERED_PARAMETER.matcher(query);
        while (matcher.find()) {
            if (!matcher.group(1).equals("1")) {
                throw new PluginConfigException(section.pathOf("query"), "has the parameter $" + matcher.group(1)
                        + "; the only parameter is the user name, $1 (or ?)");
            }
            numbered++;
        }
        long questionMarks = query.chars().filter(c -> c == '?').count();
        if (numbered + questionMarks != 1) {
            throw new PluginConfigException(section.pathOf("query"), "must mark the user name with $1 (or ?) exactly once; found "
                    + (numbered + questionMarks) + " parameter marks");
        }
        return query;
    }

    private static String password(PluginConfig section, Services services, String inherited) {
        Optional<String> text = section.string("password");
        if (text.isEmpty()) {
            return inherited;
        }
        String reference = text.get().trim();
        if (!REFERENCE.matcher(reference).matches()) {
            // The value itself is not repeated: it may be the password.
            throw new PluginConfigException(section.pathOf("password"), "must be a secret reference such as ${env:NAME} or "
                    + "${file:/path}; a password written in the configuration file is refused");
        }
        try {
            return services.resolveSecret(reference);
        } catch (PluginConfigException e) {
            String prefix = e.path() + ": ";
            String message = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
            throw new PluginConfigException(section.pathOf("password"), message);
        }
    }

    private static String name(PluginConfig section, String key, String inherited) {
        Optional<String> text = section.string(key);
        if (text.isEmpty()) {
            return inherited;
        }
        if (text.get().isBlank()) {
            throw new PluginConfigException(section.pathOf(key), "is empty");
        }
        return text.get().trim();
    }

    private static int negativeCacheSize(PluginConfig section, int inherited) {
        int size = section.integer("negative_cache_size", inherited);
        if (size < 0 || size > MAX_NEGATIVE_CACHE_SIZE) {
            throw new PluginConfigException(section.pathOf("negative_cache_size"), "must be 0 to " + MAX_NEGATIVE_CACHE_SIZE
                    + ", found " + size);
        }
        return size;
    }

    /** The YAML path of these settings, for messages. */
    String path() {
        return path;
    }

    /** False when {@code databases.X.enabled: false}: auth_query is not used for that database. */
    boolean enabled() {
        return enabled;
    }

    /** The query as configured. */
    String query() {
        return query;
    }

    /** The query with {@code $1} as JDBC's {@code ?}. */
    String jdbcQuery() {
        return jdbcQuery;
    }

    /** The auth user. */
    String user() {
        return user;
    }

    /** The auth user's password, resolved; null for none. */
    String password() {
        return password;
    }

    /** The database to ask, or null for the client's. */
    String database() {
        return database;
    }

    /** The backend to ask, or null for the auth rule's. */
    String backend() {
        return backend;
    }

    Duration cacheTtl() {
        return cacheTtl;
    }

    Duration negativeCacheTtl() {
        return negativeCacheTtl;
    }

    int negativeCacheSize() {
        return negativeCacheSize;
    }

    /** The cache of lookups made with these settings. */
    LookupCache<AuthQuerySource.Key, StoredSecret> cache() {
        return cache;
    }

    /** True the first time only: more than one row is warned about once per settings. */
    boolean firstMultipleRows() {
        return warnedMultipleRows.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "AuthQuerySettings[" + path + ", user=" + user + (password == null ? "" : ", password=***") + "]";
    }
}
