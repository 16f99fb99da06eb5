package io.pgwarden.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A plugin's YAML section: a read-only tree of maps, lists, strings, numbers and booleans, with
 * typed accessors that report errors with their YAML path. Secret references are not resolved
 * here; use {@link Services#resolveSecret}.
 */
public final class PluginConfig {

    private final String path;
    private final Map<String, Object> values;

    /**
     * Wraps a section.
     *
     * @param path the YAML path of the section, e.g. {@code plugins[0]}
     * @param values the section's keys and values
     */
    public PluginConfig(String path, Map<String, ?> values) {
        this.path = Objects.requireNonNull(path, "path");
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * The YAML path of this section.
     *
     * @return the path
     */
    public String path() {
        return path;
    }

    /**
     * The YAML path of a key in this section.
     *
     * @param key the key
     * @return the path
     */
    public String pathOf(String key) {
        return path + "." + key;
    }

    /**
     * The raw values.
     *
     * @return the read-only map
     */
    public Map<String, Object> values() {
        return values;
    }

    /**
     * Whether the key is present.
     *
     * @param key the key
     * @return true when present
     */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /**
     * A string value, when present. Numbers and booleans are given as text.
     *
     * @param key the key
     * @return the value
     * @throws PluginConfigException when the value is a list or map
     */
    public Optional<String> string(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map || value instanceof List) {
            throw new PluginConfigException(pathOf(key), "expected a single value, found " + describe(value));
        }
        return Optional.of(value.toString());
    }

    /**
     * A string value or a default.
     *
     * @param key the key
     * @param defaultValue used when absent
     * @return the value
     */
    public String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    /**
     * A required string value.
     *
     * @param key the key
     * @return the value
     * @throws PluginConfigException when absent
     */
    public String requireString(String key) {
        return string(key).orElseThrow(() -> new PluginConfigException(pathOf(key), "is required"));
    }

    /**
     * An integer value or a default.
     *
     * @param key the key
     * @param defaultValue used when absent
     * @return the value
     * @throws PluginConfigException when not an integer
     */
    public int integer(String key, int defaultValue) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(text.get().trim());
        } catch (NumberFormatException e) {
            throw new PluginConfigException(pathOf(key), "expected an integer, found '" + text.get() + "'");
        }
    }

    /**
     * A duration or a default: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, or a plain number
     * of seconds; zero or more. Since SPI 1.2.
     *
     * @param key the key
     * @param defaultValue used when absent
     * @return the value
     * @throws PluginConfigException naming the key's path when the value is not a duration
     */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        String value = text.get().trim().toLowerCase(Locale.ROOT);
        try {
            Duration duration;
            if (value.endsWith("ms")) {
                duration = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2).trim()));
            } else if (value.length() < 2 || Character.isDigit(value.charAt(value.length() - 1))) {
                duration = Duration.ofSeconds(Long.parseLong(value));
            } else {
                long amount = Long.parseLong(value.substring(0, value.length() - 1).trim());
                duration = switch (value.charAt(value.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    case 'h' -> Duration.ofHours(amount);
                    default -> throw new NumberFormatException();
                };
            }
            if (duration.isNegative()) {
                throw new NumberFormatException();
            }
            return duration;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new PluginConfigException(pathOf(key), "expected a duration such as 250ms, 5s, 2m or 1h, found '"
                    + text.get() + "'");
        }
    }

    /**
     * A boolean value or a default.
     *
     * @param key the key
     * @param defaultValue used when absent
     * @return the value
     * @throws PluginConfigException when not true or false
     */
    public boolean bool(String key, boolean defaultValue) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        return switch (text.get().trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new PluginConfigException(pathOf(key), "expected true or false, found '" + text.get() + "'");
        };
    }

    /**
     * A nested section.
     *
     * @param key the key
     * @return the section, empty when absent
     * @throws PluginConfigException when the value is not a map
     */
    public PluginConfig section(String key) {
        Object value = values.get(key);
        if (value == null) {
            return new PluginConfig(pathOf(key), Map.of());
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new PluginConfigException(pathOf(key), "expected a map, found " + describe(value));
        }
        return new PluginConfig(pathOf(key), stringKeys(pathOf(key), map));
    }

    /**
     * A list of nested sections.
     *
     * @param key the key
     * @return the sections, empty when absent
     * @throws PluginConfigException when the value is not a list of maps
     */
    public List<PluginConfig> sections(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new PluginConfigException(pathOf(key), "expected a list, found " + describe(value));
        }
        List<PluginConfig> result = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String itemPath = pathOf(key) + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw new PluginConfigException(itemPath, "expected a map, found " + describe(list.get(i)));
            }
            result.add(new PluginConfig(itemPath, stringKeys(itemPath, map)));
        }
        return List.copyOf(result);
    }

    /**
     * A list of strings.
     *
     * @param key the key
     * @return the strings, empty when absent
     * @throws PluginConfigException when the value is not a list of single values
     */
    public List<String> strings(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new PluginConfigException(pathOf(key), "expected a list, found " + describe(value));
        }
        List<String> result = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (item == null || item instanceof Map || item instanceof List) {
                throw new PluginConfigException(pathOf(key) + "[" + i + "]", "expected a single value, found " + describe(item));
            }
            result.add(item.toString());
        }
        return List.copyOf(result);
    }

    private static Map<String, Object> stringKeys(String path, Map<?, ?> map) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new PluginConfigException(path, "keys must be text, found " + describe(entry.getKey()));
            }
            result.put(key, entry.getValue());
        }
        return result;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map) {
            return "a map";
        }
        if (value instanceof List) {
            return "a list";
        }
        return "'" + value + "'";
    }

    @Override
    public String toString() {
        return "PluginConfig[" + path + "]";
    }
}
