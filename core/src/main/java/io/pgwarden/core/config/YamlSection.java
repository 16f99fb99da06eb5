package io.pgwarden.core.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML map at a known path, with typed accessors. A value of the wrong shape or type is recorded
 * as a problem with its path, and the accessor returns the default so that checking goes on and
 * every problem of the file is reported at once.
 */
final class YamlSection {

    private final String path;
    private final Node node;
    private final Problems problems;
    private final Map<String, NodeTuple> entries;

    private YamlSection(String path, Node node, Problems problems, Map<String, NodeTuple> entries) {
        this.path = path;
        this.node = node;
        this.problems = problems;
        this.entries = entries;
    }

    /** The section for a node; an absent or null node is an empty section, anything but a map is a problem. */
    static YamlSection of(Node node, String path, Problems problems) {
        if (node == null || isNull(node)) {
            return new YamlSection(path, node, problems, Map.of());
        }
        if (!(node instanceof MappingNode mapping)) {
            problems.add(node, display(path), "expected a map of keys and values, found " + describe(node));
            return new YamlSection(path, node, problems, Map.of());
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node key = tuple.getKeyNode();
            if (!(key instanceof ScalarNode scalar) || isNull(key)) {
                problems.add(key, display(path), "keys must be text, found " + describe(key));
            } else if (key.getTag().equals(Tag.MERGE)) {
                problems.add(key, display(path), "merge keys (<<) are not supported; write the keys out");
            } else if (entries.putIfAbsent(scalar.getValue(), tuple) != null) {
                problems.add(key, join(path, scalar.getValue()), "duplicate key");
            }
        }
        return new YamlSection(path, node, problems, Collections.unmodifiableMap(entries));
    }

    private static String display(String path) {
        return path.isEmpty() ? "(document)" : path;
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String path() {
        return path;
    }

    String pathOf(String key) {
        return join(path, key);
    }

    Node node() {
        return node;
    }

    Problems problems() {
        return problems;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    boolean has(String key) {
        Node value = value(key);
        return value != null && !isNull(value);
    }

    Set<String> keys() {
        return entries.keySet();
    }

    /** The value node of a key, or {@code null}. */
    Node value(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? null : tuple.getValueNode();
    }

    /** Records a problem for every key not in the list. */
    void allowOnly(String... known) {
        List<String> knownKeys = Arrays.asList(known);
        for (Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
            if (!knownKeys.contains(entry.getKey())) {
                problems.add(entry.getValue().getKeyNode(), pathOf(entry.getKey()),
                        "unknown key; known keys: " + String.join(", ", known));
            }
        }
    }

    void problem(String key, String message) {
        Node at = value(key);
        if (at == null) {
            problems.addMissing(node, pathOf(key), message);
        } else {
            problems.add(at, pathOf(key), message);
        }
    }

    /** A single value as text, or the default when absent or null. */
    String text(String key, String defaultValue) {
        Node value = value(key);
        if (value == null || isNull(value)) {
            return defaultValue;
        }
        if (!(value instanceof ScalarNode scalar)) {
            problems.add(value, pathOf(key), "expected a single value, found " + describe(value));
            return defaultValue;
        }
        return scalar.getValue();
    }

    /** A non-blank single value, or a problem when absent. */
    String requiredText(String key, String what) {
        String text = text(key, null);
        if (text == null) {
            if (value(key) == null || isNull(value(key))) {
                problems.addMissing(node, pathOf(key), "is required (" + what + ")");
            }
            return null;
        }
        if (text.isBlank()) {
            problem(key, "must not be empty (" + what + ")");
            return null;
        }
        return text;
    }

    int port(String key, int defaultValue, int lowest) {
        return integer(key, defaultValue, lowest, 65535, "a port " + lowest + "-65535");
    }

    int integer(String key, int defaultValue, int lowest, int highest, String what) {
        String text = text(key, null);
        if (text == null) {
            return defaultValue;
        }
        try {
            int number = Integer.parseInt(text.trim());
            if (number >= lowest && number <= highest) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below with the value as written
        }
        problem(key, "expected " + what + ", found '" + YamlDocument.shorten(text) + "'");
        return defaultValue;
    }

    boolean bool(String key, boolean defaultValue) {
        String text = text(key, null);
        if (text == null) {
            return defaultValue;
        }
        return switch (text.trim()) {
            case "true", "True", "TRUE" -> true;
            case "false", "False", "FALSE" -> false;
            default -> {
                problem(key, "expected true or false, found '" + YamlDocument.shorten(text) + "'");
                yield defaultValue;
            }
        };
    }

    Duration duration(String key, Duration defaultValue, Duration lowest) {
        String text = text(key, null);
        if (text == null) {
            return defaultValue;
        }
        try {
            Duration duration = Units.duration(text);
            if (duration.compareTo(lowest) >= 0) {
                return duration;
            }
            problem(key, "must be at least " + lowest.toMillis() + "ms, found '" + YamlDocument.shorten(text) + "'");
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage() + ", found '" + YamlDocument.shorten(text) + "'");
        }
        return defaultValue;
    }

    int size(String key, int defaultValue, long lowest, long highest) {
        String text = text(key, null);
        if (text == null) {
            return defaultValue;
        }
        try {
            long size = Units.size(text);
            if (size >= lowest && size <= highest) {
                return (int) size;
            }
            problem(key, "expected a size from " + Units.describeSize(lowest) + " to " + Units.describeSize(highest)
                    + ", found '" + YamlDocument.shorten(text) + "'");
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage() + ", found '" + YamlDocument.shorten(text) + "'");
        }
        return defaultValue;
    }

    /** One of a fixed set of words, mapped by its YAML spelling. */
    <E extends Enum<E>> E choice(String key, E defaultValue, Class<E> type, Function<E, String> yamlName) {
        String text = text(key, null);
        if (text == null) {
            return defaultValue;
        }
        for (E candidate : type.getEnumConstants()) {
            if (yamlName.apply(candidate).equals(text.trim())) {
                return candidate;
            }
        }
        List<String> names = Arrays.stream(type.getEnumConstants()).map(yamlName).toList();
        problem(key, "expected one of " + String.join(", ", names) + ", found '" + YamlDocument.shorten(text) + "'");
        return defaultValue;
    }

    /** A path resolved against the base directory; when {@code mustExist}, a readable regular file. */
    Path file(String key, Path baseDirectory, boolean mustExist) {
        String text = text(key, null);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            problem(key, "must not be empty (a file path)");
            return null;
        }
        Path file;
        try {
            file = baseDirectory.resolve(text.trim()).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            problem(key, "not a valid path: '" + YamlDocument.shorten(text) + "'");
            return null;
        }
        if (mustExist && !(Files.isRegularFile(file) && Files.isReadable(file))) {
            problem(key, "file " + file + " does not exist or cannot be read");
        }
        return file;
    }

    YamlSection section(String key) {
        return of(value(key), pathOf(key), problems);
    }

    /** The items of a list; a single value counts as a list of one when {@code singleAllowed}. */
    List<Node> list(String key, boolean singleAllowed) {
        Node value = value(key);
        if (value == null || isNull(value)) {
            return List.of();
        }
        if (value instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        if (singleAllowed && value instanceof ScalarNode) {
            return List.of(value);
        }
        problems.add(value, pathOf(key), "expected a list, found " + describe(value));
        return List.of();
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    static String describe(Node node) {
        if (node == null || isNull(node)) {
            return "nothing";
        }
        if (node instanceof MappingNode) {
            return "a map";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "'" + YamlDocument.shorten(((ScalarNode) node).getValue()) + "'";
    }
}
