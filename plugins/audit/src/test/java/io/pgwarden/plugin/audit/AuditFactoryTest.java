package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditFactoryTest {

    @TempDir
    Path dir;

    private final TestServices services = new TestServices();

    private Map<String, Object> valid() throws IOException {
        Path key = Files.writeString(dir.resolve("audit.key"), "0123456789abcdef0123\n");
        Map<String, Object> values = new HashMap<>();
        values.put("checkpoint_key", "${file:" + key + "}");
        values.put("file", new HashMap<>(Map.of("path", dir.resolve("audit.jsonl").toString())));
        return values;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> file(Map<String, Object> values) {
        return (Map<String, Object>) values.get("file");
    }

    private void refused(Map<String, Object> values, String path, String message) {
        assertThatThrownBy(() -> new AuditFactory().create(new PluginConfig("plugins[0]", values), services))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo(path))
                .hasMessageContaining(message);
    }

    @Test
    void isFoundByTheServiceLoaderUnderItsType() {
        assertThat(ServiceLoader.load(InterceptorFactory.class).stream().map(p -> p.get().type())).contains("audit");
    }

    @Test
    void aValidSectionStartsTheWriterAndCloseStopsIt() throws Exception {
        Map<String, Object> values = valid();
        values.put("raw_text", false);
        file(values).put("max_size", "10MiB");
        file(values).put("max_age", "1h");
        Interceptor interceptor = new AuditFactory().create(new PluginConfig("plugins[0]", values), services);
        interceptor.close();

        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).singleElement().asString().contains("\"type\":\"header\"");
    }

    @Test
    void aLiteralKeyIsRefused() throws IOException {
        Map<String, Object> values = valid();
        values.put("checkpoint_key", "0123456789abcdef0123456789");
        refused(values, "plugins[0].checkpoint_key", "a literal key is refused");
    }

    @Test
    void aShortKeyAndAMissingKeyAreRefused() throws IOException {
        Map<String, Object> values = valid();
        values.put("checkpoint_key", "${file:" + Files.writeString(dir.resolve("short.key"), "short") + "}");
        refused(values, "plugins[0].checkpoint_key", "too short");
        values.remove("checkpoint_key");
        refused(values, "plugins[0].checkpoint_key", "is required");
    }

    @Test
    void badFileSettingsNameTheirPath() throws IOException {
        Map<String, Object> values = valid();
        values.remove("file");
        refused(values, "plugins[0].file", "is required");

        values = valid();
        file(values).remove("path");
        refused(values, "plugins[0].file.path", "is required");

        values = valid();
        file(values).put("path", dir.toString());
        refused(values, "plugins[0].file.path", "cannot write");

        values = valid();
        file(values).put("path", Files.writeString(dir.resolve("plain"), "x") + "/audit.jsonl");
        refused(values, "plugins[0].file.path", "cannot create the directory");

        values = valid();
        file(values).put("max_size", "lots");
        refused(values, "plugins[0].file.max_size", "expected a size such as 100MiB");

        values = valid();
        file(values).put("max_size", "12");
        refused(values, "plugins[0].file.max_size", "at least 1KiB");

        values = valid();
        file(values).put("max_age", "0s");
        refused(values, "plugins[0].file.max_age", "more than zero");

        values = valid();
        file(values).put("rotate", "daily");
        refused(values, "plugins[0].file.rotate", "unknown setting");
    }

    @Test
    void badTopLevelSettingsNameTheirPath() throws IOException {
        Map<String, Object> values = valid();
        values.put("queue_size", 0);
        refused(values, "plugins[0].queue_size", "between 1 and 1000000");

        values = valid();
        values.put("checkpoint_records", "many");
        refused(values, "plugins[0].checkpoint_records", "expected an integer");

        values = valid();
        values.put("checkpoint_interval", "soon");
        refused(values, "plugins[0].checkpoint_interval", "expected a duration");

        values = valid();
        values.put("stream", "has space");
        refused(values, "plugins[0].stream", "letters, digits");

        values = valid();
        values.put("raw_text", "maybe");
        refused(values, "plugins[0].raw_text", "expected true or false");

        values = valid();
        values.put("sinks", "table");
        refused(values, "plugins[0].sinks", "unknown setting");
    }

    @Test
    void byteSizesTakeBinaryUnits() {
        PluginConfig config = new PluginConfig("p", Map.of("a", "2KiB", "b", "3 MiB", "c", "1gib", "d", 4096));
        assertThat(ByteSize.parse(config, "a", 0)).isEqualTo(2048);
        assertThat(ByteSize.parse(config, "b", 0)).isEqualTo(3L << 20);
        assertThat(ByteSize.parse(config, "c", 0)).isEqualTo(1L << 30);
        assertThat(ByteSize.parse(config, "d", 0)).isEqualTo(4096);
        assertThat(ByteSize.parse(config, "missing", 7)).isEqualTo(7);
        assertThatThrownBy(() -> ByteSize.parse(new PluginConfig("p", Map.of("a", "-1")), "a", 0))
                .isInstanceOf(PluginConfigException.class);
        assertThatThrownBy(() -> ByteSize.parse(new PluginConfig("p", Map.of("a", "99999999999GiB")), "a", 0))
                .isInstanceOf(PluginConfigException.class);
    }
}
