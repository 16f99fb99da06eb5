package io.pgwarden.core.login;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * {@code profiles.yaml}: named profiles, each a mapping of {@code issuer}, {@code client_id}, {@code scopes},
 * {@code host}, {@code port}, {@code sslmode}, {@code dbname} and {@code user}. Read with SnakeYAML's safe
 * constructor; a problem is reported with the file and the YAML path ({@code default.port}).
 */
public final class ProfileFile {

    private static final Set<String> KEYS = Set.of("issuer", "client_id", "scopes", "host", "port", "sslmode", "dbname",
            "user");
    /** More than any hand-written profile file; a bigger one is not ours. */
    private static final long MAX_BYTES = 1 << 20;

    private final Path file;

    /**
     * The profile file at this path (which need not exist).
     *
     * @param file the file
     */
    public ProfileFile(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /**
     * The file's path.
     *
     * @return the path
     */
    public Path path() {
        return file;
    }

    /**
     * The profiles in the file; none when there is no file.
     *
     * @return the profiles by name
     * @throws LoginException when the file cannot be read or a setting is wrong, naming the file and YAML path
     */
    public Map<String, LoginProfile> load() {
        Map<String, LoginProfile> profiles = new LinkedHashMap<>();
        raw().forEach((name, value) -> profiles.put(name, profile(name, value)));
        return profiles;
    }

    /**
     * The named profile, or {@link LoginProfile#EMPTY} when the file does not have it.
     *
     * @param name the profile's name
     * @return the profile
     */
    public LoginProfile get(String name) {
        return load().getOrDefault(name, LoginProfile.EMPTY);
    }

    /**
     * Sets the given fields of one profile, keeping its other fields and the other profiles, and writes the file
     * atomically.
     *
     * @param name the profile's name
     * @param update the fields to set; null fields are kept as they are
     */
    public void update(String name, LoginProfile update) {
        LoginProfile.checkName(name);
        Map<String, Object> all = new LinkedHashMap<>(raw());
        LoginProfile merged = update.orElse(all.containsKey(name) ? profile(name, all.get(name)) : LoginProfile.EMPTY);
        all.put(name, toYaml(merged));
        DumperOptions dumper = new DumperOptions();
        dumper.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        String text = "# pgwarden login profiles; see docs/sso.md section 15\n" + new Yaml(dumper).dump(all);
        PrivateFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Object> raw() {
        Object document;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new LoginException(file + ": larger than " + MAX_BYTES + " bytes; not a profile file");
            }
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                document = yaml().load(reader);
            }
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new LoginException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (MarkedYAMLException e) {
            throw new LoginException(file + ": not valid YAML: " + e.getProblem()
                    + (e.getProblemMark() == null ? "" : " (line " + (e.getProblemMark().getLine() + 1) + ")"), e);
        } catch (YAMLException e) {
            throw new LoginException(file + ": not valid YAML: " + firstLine(e.getMessage()), e);
        }
        if (document == null) {
            return Map.of();
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new LoginException(file + ": expected a mapping of profile names to profiles");
        }
        Map<String, Object> profiles = new LinkedHashMap<>();
        map.forEach((key, value) -> {
            if (!(key instanceof String name)) {
                throw new LoginException(file + ": the profile name " + key + " is not a string");
            }
            try {
                LoginProfile.checkName(name);
            } catch (LoginException e) {
                throw new LoginException(file + ": " + e.getMessage(), e);
            }
            profiles.put(name, value);
        });
        return profiles;
    }

    private LoginProfile profile(String name, Object value) {
        if (value == null) {
            return LoginProfile.EMPTY;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw problem(name, "expected a mapping of issuer, client_id, scopes, host, port, sslmode, dbname, user");
        }
        for (Object key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw problem(name + "." + key, "unknown key; expected one of issuer, client_id, scopes, host, port,"
                        + " sslmode, dbname, user");
            }
        }
        String issuer = text(name, map, "issuer");
        String port = scalar(name, map, "port");
        String sslmode = text(name, map, "sslmode");
        LoginProfile texts = new LoginProfile(null, text(name, map, "client_id"), scopes(name, map), text(name, map, "host"),
                null, null, text(name, map, "dbname"), text(name, map, "user"));
        try {
            return new LoginProfile(issuer == null ? null : LoginProfile.parseIssuer(where(name, "issuer"), issuer),
                    null, null, null, port == null ? null : LoginProfile.parsePort(where(name, "port"), port),
                    sslmode == null ? null : LoginProfile.parseSslmode(where(name, "sslmode"), sslmode), null, null)
                    .orElse(texts);
        } catch (LoginException e) {
            throw new LoginException(file + ": " + e.getMessage(), e);
        }
    }

    private String where(String name, String key) {
        return name + "." + key;
    }

    private String text(String name, Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text) || text.isBlank()) {
            throw problem(where(name, key), "expected a non-empty string");
        }
        return text;
    }

    private String scalar(String name, Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Map || value instanceof List) {
            throw problem(where(name, key), "expected a single value");
        }
        return value.toString();
    }

    private List<String> scopes(String name, Map<?, ?> map) {
        Object value = map.get("scopes");
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            return LoginProfile.parseScopes(text);
        }
        if (!(value instanceof List<?> list)) {
            throw problem(where(name, "scopes"), "expected a list of scopes or one string of scopes separated by spaces");
        }
        List<String> scopes = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String scope) || scope.isBlank() || scope.contains(" ")) {
                throw problem(where(name, "scopes") + "[" + i + "]", "expected a scope without spaces");
            }
            scopes.add(scope);
        }
        return scopes;
    }

    private static Map<String, Object> toYaml(LoginProfile profile) {
        Map<String, Object> map = new LinkedHashMap<>();
        putIfSet(map, "issuer", profile.issuer() == null ? null : profile.issuer().toString());
        putIfSet(map, "client_id", profile.clientId());
        putIfSet(map, "scopes", profile.scopes());
        putIfSet(map, "host", profile.host());
        putIfSet(map, "port", profile.port());
        putIfSet(map, "sslmode", profile.sslmode());
        putIfSet(map, "dbname", profile.dbname());
        putIfSet(map, "user", profile.user());
        return map;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private LoginException problem(String path, String what) {
        return new LoginException(file + ": " + path + ": " + what);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setCodePointLimit((int) MAX_BYTES);
        DumperOptions dumper = new DumperOptions();
        return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
