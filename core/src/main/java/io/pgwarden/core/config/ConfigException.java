package io.pgwarden.core.config;

import java.util.List;

/**
 * The configuration is invalid. {@link #problems()} lists every problem found, each as
 * {@code "yaml.path: what is wrong"}, in file order. No message ever contains a secret.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * Creates the exception.
     *
     * @param problems the problems, at least one
     */
    public ConfigException(List<String> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
        if (this.problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
    }

    /**
     * Every problem, as {@code "yaml.path: message"}.
     *
     * @return the problems, in file order
     */
    public List<String> problems() {
        return problems;
    }

    private static String render(List<String> problems) {
        StringBuilder text = new StringBuilder("invalid configuration (")
                .append(problems.size()).append(problems.size() == 1 ? " problem)" : " problems)");
        for (String problem : problems) {
            text.append(System.lineSeparator()).append("  ").append(problem);
        }
        return text.toString();
    }
}
