package io.pgwarden.core.session;

import io.pgwarden.core.config.AdminConsoleConfig;
import io.pgwarden.core.config.AdminHttpConfig;
import io.pgwarden.core.config.Cidr;
import io.pgwarden.core.config.LimitsConfig;
import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.spi.PluginConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code SHOW CONFIG}: the effective configuration, one row per setting, keyed by its YAML path
 * ({@code pool.size}, {@code backends.primary.port}, {@code plugins[0].issuer}), with the core's
 * default where it has one and whether a reload may change it. Secrets are never shown: a setting
 * whose name looks like one (password, secret, token, key, credential), a plugin setting that is a
 * {@code ${env:}} or {@code ${file:}} reference (plugins resolve their own) and any value of several
 * lines (what a reference of the core's settings may have resolved to) read {@code (secret)}.
 */
final class ConsoleSettings {

    /** What a secret reads as. */
    static final String SECRET = "(secret)";

    private static final List<String> COLUMNS = List.of("key", "value", "default", "changeable");
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(pass|secret|token|key|credential).*");
    /** The sections a reload applies (docs/operations.md); everything else needs a restart. */
    private static final List<String> CHANGEABLE = List.of("auth.", "plugins[", "pool.");
    /** Components that are no setting of their own (they repeat the key, or say where the file was). */
    private static final Set<String> SKIPPED = Set.of("baseDirectory", "path", "name");
    private static final Map<String, String> TOP_LEVEL_NAMES = Map.of("pluginsDirectory", "plugins_dir", "adminHttp", "admin.http",
            "adminConsole", "admin.console");

    private ConsoleSettings() {
    }

    /**
     * The table of a configuration.
     *
     * @param config the running configuration
     * @return the table
     */
    static ConsoleTable table(ProxyConfig config) {
        Map<String, String> values = new LinkedHashMap<>();
        walk("", config, values);
        Map<String, String> defaults = new LinkedHashMap<>();
        walk("pool", PoolConfig.DEFAULTS, defaults);
        walk("limits", LimitsConfig.DEFAULTS, defaults);
        walk("admin.http", AdminHttpConfig.DISABLED, defaults);
        walk("admin.console", AdminConsoleConfig.DISABLED, defaults);
        List<List<String>> rows = new ArrayList<>();
        values.forEach((key, value) -> rows.add(Arrays.asList(key, value, defaults.getOrDefault(key, ""),
                CHANGEABLE.stream().anyMatch(key::startsWith) ? "yes" : "no")));
        return new ConsoleTable(COLUMNS, rows);
    }

    private static void walk(String path, Object value, Map<String, String> out) {
        if (value instanceof Record record && !(value instanceof Cidr)) {
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                if (SKIPPED.contains(component.getName())) {
                    continue;
                }
                String name = path.isEmpty() ? TOP_LEVEL_NAMES.getOrDefault(component.getName(), snake(component.getName()))
                        : snake(component.getName());
                Object item = read(record, component);
                // A plugin's settings sit next to its type in the YAML.
                walk(item instanceof PluginConfig ? path : child(path, name), item, out);
            }
        } else if (value instanceof PluginConfig plugin) {
            walk(path, plugin.values(), out);
        } else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                return;
            }
            map.forEach((key, item) -> walk(child(path, String.valueOf(key)), item, out));
        } else if (value instanceof Collection<?> items && items.stream().anyMatch(ConsoleSettings::structured)) {
            int i = 0;
            for (Object item : items) {
                walk(path + "[" + i++ + "]", item, out);
            }
        } else {
            out.put(path, secret(path, value) ? SECRET : text(value));
        }
    }

    private static boolean structured(Object item) {
        return item instanceof Record && !(item instanceof Cidr) || item instanceof Map<?, ?> || item instanceof PluginConfig;
    }

    private static boolean secret(String path, Object value) {
        String name = path.substring(path.lastIndexOf('.') + 1);
        String text = text(value);
        return value != null && (SECRET_NAME.matcher(name).matches() || text.contains("\n") || text.contains("${"));
    }

    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Duration duration) {
            return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
        }
        if (value instanceof Enum<?> constant) {
            return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        if (value instanceof Collection<?> items) {
            List<String> texts = items.stream().map(ConsoleSettings::text).toList();
            return String.join(", ", items instanceof Set<?> ? texts.stream().sorted().toList() : texts);
        }
        return value.toString();
    }

    private static Object read(Record record, RecordComponent component) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of " + record.getClass().getSimpleName(), e);
        }
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
