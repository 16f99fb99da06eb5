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
        refused(values, "plugins[0]", "needs at least one sink");

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
        values.put("queue_memory", "512KiB");
        refused(values, "plugins[0].queue_memory", "at least 1MiB");
        values.put("queue_memory", "65GiB");
        refused(values, "plugins[0].queue_memory", "at most 64GiB");

        values = valid();
        values.put("queue_memory", "lots");
        refused(values, "plugins[0].queue_memory", "expected a size");

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

    private Map<String, Object> withTable() throws IOException {
        Map<String, Object> values = valid();
        values.remove("file");
        Map<String, Object> table = new HashMap<>();
        table.put("backend", "audit");
        table.put("database", "audit");
        table.put("user", "pgwarden_audit");
        table.put("spool", new HashMap<>(Map.of("directory", dir.resolve("spool").toString())));
        values.put("table", table);
        return values;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> table(Map<String, Object> values) {
        return (Map<String, Object>) values.get("table");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spool(Map<String, Object> values) {
        return (Map<String, Object>) table(values).get("spool");
    }

    @Test
    void aTableSinkAloneIsEnoughAndItsDownDatabaseDoesNotHoldUpClose() throws Exception {
        Map<String, Object> values = withTable();
        Interceptor interceptor = new AuditFactory().create(new PluginConfig("plugins[0]", values), services);
        interceptor.close();

        assertThat(Files.isDirectory(dir.resolve("spool"))).isTrue();
        assertThat(services.logger.lines()).anySatisfy(line -> assertThat(line).contains("connection refused (unit test)"));
    }

    @Test
    void aDisabledStdoutIsNoSink() throws IOException {
        Map<String, Object> values = valid();
        values.remove("file");
        values.put("stdout", Map.of("enabled", false));
        refused(values, "plugins[0]", "needs at least one sink");

        values.put("stdout", Map.of("enabled", "sometimes"));
        refused(values, "plugins[0].stdout.enabled", "expected true or false");

        values.put("stdout", Map.of("colour", true));
        refused(values, "plugins[0].stdout.colour", "unknown setting");
    }

    @Test
    void badTableSettingsNameTheirPath() throws IOException {
        for (String required : new String[] {"backend", "database", "user"}) {
            Map<String, Object> values = withTable();
            table(values).remove(required);
            refused(values, "plugins[0].table." + required, "is required");
        }
        Map<String, Object> values = withTable();
        table(values).put("backend", "nowhere");
        refused(values, "plugins[0].table.backend", "no backend named nowhere");

        values = withTable();
        table(values).put("password", "hunter2-literal");
        refused(values, "plugins[0].table.password", "a literal is refused");

        values = withTable();
        table(values).put("table", "audit; DROP TABLE x");
        refused(values, "plugins[0].table.table", "lower-case letters");

        values = withTable();
        table(values).put("table", "Audit.Events");
        refused(values, "plugins[0].table.table", "lower-case letters");

        values = withTable();
        table(values).put("stream", "two words");
        refused(values, "plugins[0].table.stream", "letters, digits");

        values = withTable();
        table(values).put("batch_size", 0);
        refused(values, "plugins[0].table.batch_size", "between 1 and 100000");

        values = withTable();
        table(values).put("batch_size", "lots");
        refused(values, "plugins[0].table.batch_size", "expected an integer");

        values = withTable();
        table(values).put("flush_interval", "0s");
        refused(values, "plugins[0].table.flush_interval", "more than zero");

        values = withTable();
        table(values).put("flush_interval", "whenever");
        refused(values, "plugins[0].table.flush_interval", "expected a duration");

        values = withTable();
        table(values).put("retries", 3);
        refused(values, "plugins[0].table.retries", "unknown setting");
    }

    @Test
    void badSpoolSettingsNameTheirPath() throws IOException {
        Map<String, Object> values = withTable();
        table(values).remove("spool");
        refused(values, "plugins[0].table.spool", "is required");

        values = withTable();
        spool(values).remove("directory");
        refused(values, "plugins[0].table.spool.directory", "is required");

        values = withTable();
        spool(values).put("directory", Files.writeString(dir.resolve("not-a-directory"), "x").toString());
        refused(values, "plugins[0].table.spool.directory", "cannot use");

        values = withTable();
        spool(values).put("max_size", "1KiB");
        refused(values, "plugins[0].table.spool.max_size", "at least 64KiB");

        values = withTable();
        spool(values).put("max_size", "1GB");
        refused(values, "plugins[0].table.spool.max_size", "expected a size");

        values = withTable();
        spool(values).put("compress", true);
        refused(values, "plugins[0].table.spool.compress", "unknown setting");
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
