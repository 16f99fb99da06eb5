package io.pgwarden.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns a plugin's YAML section into the plain tree {@link io.pgwarden.spi.PluginConfig} holds:
 * maps with text keys, lists, strings, integers, booleans and nulls. Only {@code true}/{@code false}
 * become booleans and only decimal digits become integers, so {@code no}, {@code 0777} or
 * {@code 2024-01-01} stay the text that was written. Aliases are expanded, within a budget of nodes so
 * that a small document cannot expand into a huge tree.
 */
final class PluginValues {

    /** Nodes one configuration may expand into across all plugin sections. */
    static final int MAX_NODES = 100_000;

    private final Problems problems;
    private int budget = MAX_NODES;
    private boolean exhausted;
    /** The setting being converted; named in the problem instead of a path as deep as the expansion. */
    private String reportPath = "";

    PluginValues(Problems problems) {
        this.problems = problems;
    }

    /** Converts the entries of a map, leaving out the given keys. */
    Map<String, Object> entries(YamlSection section, String... excluded) {
        Map<String, Object> result = new LinkedHashMap<>();
        List<String> skip = List.of(excluded);
        for (String key : section.keys()) {
            if (!skip.contains(key)) {
                reportPath = section.pathOf(key);
                result.put(key, convert(section.value(key), section.pathOf(key), 0));
            }
        }
        return result;
    }

    private Object convert(Node node, String path, int depth) {
        if (--budget < 0 || depth > YamlDocument.MAX_NESTING_DEPTH) {
            if (!exhausted) {
                exhausted = true;
                problems.add(node, reportPath, "the plugin settings expand to more than " + MAX_NODES
                        + " values or nest deeper than " + YamlDocument.MAX_NESTING_DEPTH + " (too many aliases?)");
            }
            return null;
        }
        if (node instanceof ScalarNode scalar) {
            return scalar(scalar);
        }
        if (node instanceof SequenceNode sequence) {
            List<Object> items = new ArrayList<>(sequence.getValue().size());
            for (int i = 0; i < sequence.getValue().size(); i++) {
                items.add(convert(sequence.getValue().get(i), path + "[" + i + "]", depth + 1));
            }
            return Collections.unmodifiableList(items);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (NodeTuple tuple : ((MappingNode) node).getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key) || YamlSection.isNull(key)) {
                problems.add(tuple.getKeyNode(), path, "keys must be text, found " + YamlSection.describe(tuple.getKeyNode()));
            } else if (map.containsKey(key.getValue())) {
                problems.add(key, path + "." + key.getValue(), "duplicate key");
            } else {
                map.put(key.getValue(), convert(tuple.getValueNode(), path + "." + key.getValue(), depth + 1));
            }
        }
        return Collections.unmodifiableMap(map);
    }

    private static Object scalar(ScalarNode scalar) {
        String text = scalar.getValue();
        Tag tag = scalar.getTag();
        if (tag.equals(Tag.NULL)) {
            return null;
        }
        if (tag.equals(Tag.BOOL) && (text.equals("true") || text.equals("false"))) {
            return Boolean.valueOf(text);
        }
        if (tag.equals(Tag.INT) && text.matches("-?[0-9]{1,18}") && !text.matches("-?0[0-9]+")) {
            long value = Long.parseLong(text);
            if (value == (int) value) {
                return Integer.valueOf((int) value);
            }
            return Long.valueOf(value);
        }
        return text;
    }
}
