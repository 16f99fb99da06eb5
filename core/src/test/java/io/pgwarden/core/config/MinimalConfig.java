package io.pgwarden.core.config;

import java.nio.file.Path;
import java.util.List;

/** A valid configuration with one backend and one rule, which section tests extend with the YAML they check. */
final class MinimalConfig {

    private static final String MINIMAL = """
            backends: { primary: { host: db } }
            auth: { rules: [ { method: passthrough } ] }
            """;

    private MinimalConfig() {
    }

    /**
     * @param yaml the sections to add
     * @param dir the configuration's directory
     * @return the minimal configuration with {@code yaml} added
     */
    static ProxyConfig parse(String yaml, Path dir) {
        return ConfigLoader.parse(MINIMAL + yaml, dir);
    }

    /**
     * @param yaml the sections to add
     * @param dir the configuration's directory
     * @return the problems the loader reports for the minimal configuration with {@code yaml} added
     * @throws AssertionError when the configuration is accepted
     */
    static List<String> problemsOf(String yaml, Path dir) {
        try {
            parse(yaml, dir);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }
}
