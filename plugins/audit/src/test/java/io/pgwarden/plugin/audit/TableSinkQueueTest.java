package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table sink's queue, before its thread runs (so nothing reaches a database): bounded by {@code queue_size}
 * and by {@code queue_memory}, whichever is reached first, each drop counted for the table.
 */
class TableSinkQueueTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final TestServices services = new TestServices();

    @TempDir
    Path dir;

    /** A data source the sink never uses here: its thread is not started. */
    private static DataSource unused() {
        return (DataSource) Proxy.newProxyInstance(TableSinkQueueTest.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    throw new AssertionError("the database was used: " + method.getName());
                });
    }

    private TableSink sink(int queueSize, long queueMemory) throws Exception {
        return new TableSink(new AuditTable(services, unused(), "pgwarden_audit.events", "test"), new Spool(dir.resolve("spool"), 1 << 20),
                new RecordChain(1000, 60_000, KEY), "test", queueSize, queueMemory, 500, 1000,
                new DropReport("table", services.counter("pgwarden.audit.dropped"), services.logger(), services.clock()),
                services.logger(), services.clock());
    }

    @Test
    void recordsHoldingMoreThanQueueMemoryAreDroppedWhileSmallOnesStillFit() throws Exception {
        TableSink sink = sink(1000, 1L << 20);
        String big = "x".repeat(300_000);

        TestSinks.append(sink, big, 0);
        TestSinks.append(sink, big, 0);
        assertThat(services.count("pgwarden.audit.dropped")).as("two would hold more than 1 MiB").isEqualTo(1);
        TestSinks.append(sink, "{\"type\":\"statement\"}", 0);
        assertThat(services.count("pgwarden.audit.dropped")).isEqualTo(1);
    }

    @Test
    void queueSizeBoundsTheQueueWhenMemoryWouldStillAllowMore() throws Exception {
        TableSink sink = sink(1, 1L << 20);
        String record = "{\"type\":\"statement\"}";

        TestSinks.append(sink, record, 0);
        TestSinks.append(sink, record, 0);
        TestSinks.append(sink, record, 0);
        assertThat(services.count("pgwarden.audit.dropped")).isEqualTo(2);
    }

    @Test
    void aBoundReservesOnlyWhatFitsAndReleasesWhatWasTaken() {
        MemoryBound bound = new MemoryBound(100);
        assertThat(bound.reserve(60)).isTrue();
        assertThat(bound.reserve(60)).isFalse();
        assertThat(bound.held()).isEqualTo(60);
        assertThat(bound.reserve(40)).isTrue();
        bound.release(60);
        assertThat(bound.reserve(60)).isTrue();
        assertThat(bound.held()).isEqualTo(100);
        assertThatThrownBy(() -> new MemoryBound(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
