package io.pgwarden.core.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Collects configuration problems while the whole file is checked, and hands them out in file order
 * so that a person can fix them top to bottom.
 */
final class Problems {

    private record Problem(int line, int column, int sequence, String text) {
    }

    private final List<Problem> found = new ArrayList<>();

    void add(Node at, String path, String message) {
        add(at == null ? null : at.getStartMark(), path, message);
    }

    /** A problem about something missing from a section, placed where the section ends. */
    void addMissing(Node section, String path, String message) {
        add(section == null ? null : section.getEndMark(), path, message);
    }

    void add(Mark at, String path, String message) {
        addFormatted(at, path + ": " + message);
    }

    /** Adds a problem already written as {@code "path: message"}. */
    void addFormatted(Node at, String text) {
        addFormatted(at == null ? null : at.getStartMark(), text);
    }

    private void addFormatted(Mark at, String text) {
        int line = at == null ? Integer.MAX_VALUE : at.getLine();
        int column = at == null ? Integer.MAX_VALUE : at.getColumn();
        found.add(new Problem(line, column, found.size(), text));
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    int size() {
        return found.size();
    }

    List<String> inFileOrder() {
        return found.stream()
                .sorted(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column)
                        .thenComparingInt(Problem::sequence))
                .map(Problem::text)
                .toList();
    }

    void throwIfAny() {
        if (!found.isEmpty()) {
            throw new ConfigException(inFileOrder());
        }
    }
}
