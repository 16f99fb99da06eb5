package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParameterPolicyTest {

    @TempDir
    Path dir;

    private final TestServices services = new TestServices();

    private static ParameterPolicy policy(Map<String, Object> values) {
        return ParameterPolicy.from(new PluginConfig("plugins[0]", values));
    }

    /** An Execute with these decoded values, {@code null} for NULL. */
    private static FakeContexts.Execute execute(List<String> values) {
        return new FakeContexts.Execute(null, "SELECT", values);
    }

    @Test
    void redactedShowsOnlyHowManyValuesThereAreAndWhichAreNull() {
        ParameterPolicy redacted = policy(Map.of());

        assertThat(redacted).isEqualTo(new ParameterPolicy(ParameterPolicy.Mode.REDACTED, ParameterPolicy.DEFAULT_MAX_LENGTH));
        assertThat(redacted.apply(execute(Arrays.asList("secret", null, "\\x00ff")))).containsExactly("?", null, "?");
        assertThat(redacted.apply(execute(List.of()))).isEmpty();
    }

    @Test
    void redactedReadsAnExecuteOnlyForItsNullsAndNeverDecodesItsValues() {
        ParameterPolicy redacted = policy(Map.of());

        assertThat(redacted.apply(FakeContexts.Execute.withoutValues(false, true, false))).containsExactly("?", null, "?");
        assertThat(redacted.apply(FakeContexts.Execute.withoutValues(false, false))).containsExactly("?", "?")
                .isSameAs(redacted.apply(FakeContexts.Execute.withoutValues(new boolean[2])));
        assertThat(redacted.apply(FakeContexts.Execute.withoutValues(new boolean[40]))).hasSize(40).containsOnly("?");
        assertThat(redacted.apply(FakeContexts.Execute.withoutValues())).isEmpty();
        assertThat(policy(Map.of("parameters", "values")).apply(execute(Arrays.asList("secret", null, "x")))).containsExactly("secret", null, "x");
    }

    @Test
    void valuesAreWrittenCutToTheMaximumLengthWithAMarker() {
        ParameterPolicy values = policy(Map.of("parameters", "values", "max_parameter_length", 4));

        assertThat(values.apply(execute(Arrays.asList("abcd", "abcdefgh", null, "")))).containsExactly("abcd", "abcd…(8 chars)", null, "");
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        ParameterPolicy values = policy(Map.of("parameters", "VALUES", "max_parameter_length", 2));

        assertThat(values.apply(execute(List.of("a\uD83D\uDE00b")))).containsExactly("a…(4 chars)");
    }

    @Test
    void badSettingsAreRefusedNamingTheirPath() {
        assertThatThrownBy(() -> policy(Map.of("parameters", "all")))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("plugins[0].parameters"))
                .hasMessageContaining("redacted or values");
        for (Object bad : List.of(0, -1, ParameterPolicy.MAX_MAX_LENGTH + 1)) {
            assertThatThrownBy(() -> policy(Map.of("max_parameter_length", bad)))
                    .isInstanceOf(PluginConfigException.class)
                    .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("plugins[0].max_parameter_length"))
                    .hasMessageContaining("between 1 and 65536");
        }
        assertThatThrownBy(() -> policy(Map.of("max_parameter_length", "long")))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("plugins[0].max_parameter_length"));
    }

    @Test
    void theAuditEntryAcceptsTheOptionsAndRefusesBadOnesBeforeStartingTheWriter() throws IOException {
        Path key = Files.writeString(dir.resolve("audit.key"), "0123456789abcdef0123\n");
        Map<String, Object> values = new HashMap<>();
        values.put("checkpoint_key", "${file:" + key + "}");
        values.put("file", Map.of("path", dir.resolve("audit.jsonl").toString()));
        values.put("parameters", "values");
        values.put("max_parameter_length", 1024);
        new AuditFactory().create(new PluginConfig("plugins[2]", values), services).close();
        assertThat(dir.resolve("audit.jsonl")).exists();

        values.put("parameters", "none");
        values.put("file", Map.of("path", dir.resolve("other.jsonl").toString()));
        assertThatThrownBy(() -> new AuditFactory().create(new PluginConfig("plugins[2]", values), services))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("plugins[2].parameters"));
        assertThat(dir.resolve("other.jsonl")).doesNotExist();
    }
}
