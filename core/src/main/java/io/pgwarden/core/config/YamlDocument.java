package io.pgwarden.core.config;

import java.io.StringReader;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads configuration text into a SnakeYAML node tree, safely: no object is ever constructed from
 * the document (the tree is only composed, and the only constructor configured is the safe one),
 * every explicit tag is refused, and aliases, nesting depth and document size are bounded.
 */
final class YamlDocument {

    /** The largest configuration accepted, in characters. */
    static final int MAX_CHARACTERS = 1 << 20;
    /** Aliases to maps and lists allowed in one document; a few are handy, many are an attack. */
    static final int MAX_COLLECTION_ALIASES = 20;
    /** Nesting depth allowed in one document. */
    static final int MAX_NESTING_DEPTH = 40;

    private YamlDocument() {
    }

    /**
     * Reads the document.
     *
     * @return the root node, or {@code null} when the document is empty or a problem was found
     */
    static Node read(String text, Problems problems) {
        if (text.length() > MAX_CHARACTERS) {
            problems.add((Node) null, "(document)", "the configuration is larger than " + MAX_CHARACTERS + " characters");
            return null;
        }
        try {
            if (!checkNoTags(text, problems)) {
                return null;
            }
            return yaml().compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            String context = e.getContext() == null ? "" : e.getContext() + ": ";
            problems.add(e.getProblemMark(), location(e), context + e.getProblem());
        } catch (org.yaml.snakeyaml.reader.ReaderException e) {
            problems.add((Node) null, "(document)", "character U+" + String.format("%04X", e.getCodePoint())
                    + " at position " + e.getPosition() + " is not allowed in YAML");
        } catch (YAMLException e) {
            problems.add((Node) null, "(document)", e.getMessage());
        }
        return null;
    }

    private static boolean checkNoTags(String text, Problems problems) {
        int before = problems.size();
        for (Event event : yaml().parse(new StringReader(text))) {
            String tag = null;
            if (event instanceof ScalarEvent scalar) {
                tag = scalar.getTag();
            } else if (event instanceof CollectionStartEvent collection) {
                tag = collection.getTag();
            }
            if (tag != null && !tag.equals("!")) {
                problems.add(event.getStartMark(), location(event),
                        "YAML tags are not allowed (found '" + shorten(tag) + "'); write plain values");
            }
        }
        return problems.size() == before;
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING_DEPTH);
        options.setCodePointLimit(MAX_CHARACTERS);
        options.setProcessComments(false);
        options.setMergeOnCompose(false);
        options.setTagInspector(tag -> false);
        DumperOptions dumper = new DumperOptions();
        return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options);
    }

    private static String location(MarkedYAMLException e) {
        return e.getProblemMark() == null ? "(document)" : describe(e.getProblemMark());
    }

    private static String location(Event event) {
        return event.getStartMark() == null ? "(document)" : describe(event.getStartMark());
    }

    private static String describe(org.yaml.snakeyaml.error.Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    static String shorten(String text) {
        String single = text.replaceAll("[\\r\\n\\t]", " ");
        return single.length() <= 60 ? single : single.substring(0, 57) + "...";
    }
}
