package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.DataRow;
import io.pgwarden.core.protocol.backend.RowDescription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin console's tables: PgBouncer's column names, values from the pools and sessions, and their wire form. */
class ConsoleTableTest {

    @Test
    void poolsUsePgBouncerColumnsAndCountSessionsPerPool() {
        PoolStats pool = new PoolStats("primary", "app", "alice", null, "transaction", 2, 3, 1, 1, 0);
        PoolStats other = new PoolStats("primary", "app", "bob", "reader", "session", 0, 0, 0, 0, 0);
        ConsoleTable table = ConsoleTable.pools(List.of(pool, other),
                Map.of(ConsoleTable.PoolKeyName.of(pool), 4L));
        assertThat(table.columns()).startsWith("database", "user", "cl_active", "cl_waiting", "sv_active", "sv_idle", "sv_used",
                "sv_tested", "sv_login", "maxwait", "maxwait_us", "pool_mode");
        assertThat(table.rows()).containsExactly(
                Arrays.asList("app", "alice", "3", "1", "2", "3", "0", "0", "1", "0", "0", "transaction", "primary", null),
                Arrays.asList("app", "bob", "0", "0", "0", "0", "0", "0", "0", "0", "0", "session", "primary", "reader"));
    }

    @Test
    void clientsShowAddressesAndApplicationName() {
        ConsoleTable table = ConsoleTable.clients(List.of(
                new ConsoleTable.Client("alice", "app", "10.0.0.7", 50123, "127.0.0.1", 6432, "TLSv1.3", "psql", "primary"),
                new ConsoleTable.Client("ops", "pgwarden", "::1", 2, "::1", 6432, "", null, "pgwarden")));
        assertThat(table.columns()).startsWith("type", "user", "database", "state", "addr", "port", "local_addr", "local_port", "tls",
                "application_name");
        assertThat(table.rows()).containsExactly(
                List.of("C", "alice", "app", "active", "10.0.0.7", "50123", "127.0.0.1", "6432", "TLSv1.3", "psql", "primary"),
                List.of("C", "ops", "pgwarden", "active", "::1", "2", "::1", "6432", "", "", "pgwarden"));
    }

    @Test
    void versionIsOneColumn() {
        assertThat(ConsoleTable.version("1.2.3")).isEqualTo(new ConsoleTable(List.of("version"), List.of(List.of("pgwarden 1.2.3"))));
    }

    @Test
    void rowsMustFitTheColumns() {
        assertThatThrownBy(() -> new ConsoleTable(List.of("a", "b"), List.of(List.of("1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a row of 1 values for 2 columns");
    }

    @Test
    void encodesRowDescriptionDataRowsAndShowTag() {
        ByteBuf out = Unpooled.buffer();
        try {
            new ConsoleTable(List.of("a", "b"), List.of(Arrays.asList("x", null), List.of("é", ""))).encode(out);
            RowDescription description = RowDescription.decode(next(out, 'T'));
            assertThat(description.fields()).extracting(RowDescription.Field::name).containsExactly("a", "b");
            assertThat(description.fields()).allSatisfy(field -> assertThat(field.typeOid()).isEqualTo(25));
            assertThat(texts(DataRow.decode(next(out, 'D')))).containsExactly("x", null);
            assertThat(texts(DataRow.decode(next(out, 'D')))).containsExactly("é", "");
            assertThat(CommandComplete.decode(next(out, 'C')).tag()).isEqualTo("SHOW");
            assertThat(out.isReadable()).isFalse();
        } finally {
            out.release();
        }
    }

    private static ByteBuf next(ByteBuf in, char type) {
        assertThat((char) in.readByte()).isEqualTo(type);
        int length = in.readInt();
        return in.readSlice(length - 4);
    }

    private static List<String> texts(DataRow row) {
        List<String> texts = new ArrayList<>();
        for (byte[] value : row.values()) {
            texts.add(value == null ? null : new String(value, StandardCharsets.UTF_8));
        }
        return texts;
    }
}
