package com.example.dropguard;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.Services;
import io.pgwarden.spi.SessionContext;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unit test of the guide's example: hooks called directly with hand-made contexts. */
class DropGuardTest {

    @TempDir
    Path temp;

    private final AtomicInteger refusals = new AtomicInteger();

    /** Services with a same-thread executor, so a later decision completes before the call returns. */
    private Services services() {
        return new Services() {
            @Override
            public Metrics metrics() {
                return new Metrics() {
                    @Override
                    public Counter counter(String name, String description, String... tags) {
                        return refusals::incrementAndGet;
                    }

                    @Override
                    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
                    }

                    @Override
                    public Timer timer(String name, String description, String... tags) {
                        return nanos -> { };
                    }
                };
            }

            @Override
            public System.Logger logger() {
                return System.getLogger("drop-guard-test");
            }

            @Override
            public Executor blockingExecutor() {
                return Runnable::run;
            }

            @Override
            public Clock clock() {
                return Clock.systemUTC();
            }

            @Override
            public String resolveSecret(String reference) {
                return reference;
            }

            @Override
            public DataSource dataSource(String backend, String database, String user, String password) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static QueryContext query(String sql, String user, String... groups) {
        Identity identity = new Identity(user, user, user, Set.of(groups), "oidc", Map.of());
        SessionContext session = new SessionContext() {
            private final Map<String, Object> attributes = new HashMap<>();

            @Override
            public String sessionId() {
                return "test";
            }

            @Override
            public ClientInfo client() {
                return new ClientInfo(new InetSocketAddress("127.0.0.1", 50000), null);
            }

            @Override
            public Map<String, String> startupParameters() {
                return Map.of("user", user);
            }

            @Override
            public Optional<Identity> identity() {
                return Optional.of(identity);
            }

            @Override
            public Map<String, Object> attributes() {
                return attributes;
            }
        };
        return new QueryContext() {
            @Override
            public SessionContext session() {
                return session;
            }

            @Override
            public Kind kind() {
                return Kind.SIMPLE;
            }

            @Override
            public String sql() {
                return sql;
            }

            @Override
            public String statementName() {
                return "";
            }
        };
    }

    private Interceptor guard(Map<String, Object> settings) {
        return new DropGuardFactory().create(new PluginConfig("plugins[0]", settings), services());
    }

    private static Decision settle(Decision decision) throws Exception {
        return decision instanceof Decision.Later later
                ? later.stage().toCompletableFuture().get(5, TimeUnit.SECONDS)
                : decision;
    }

    @Test
    void dropTableOutsideTheGroupIsRefusedWith42501() {
        Decision decision = guard(Map.of("allowed_group", "dba")).onQuery(query("drop  TABLE orders", "alice", "analysts"));

        assertThat(decision).isInstanceOfSatisfying(Decision.Reject.class, reject -> {
            assertThat(reject.sqlState()).isEqualTo("42501");
            assertThat(reject.message()).isEqualTo("permission denied: DROP TABLE is reserved for members of dba");
        });
        assertThat(refusals).hasValue(1);
    }

    @Test
    void groupMembersAndOtherStatementsProceed() {
        Interceptor guard = guard(Map.of("allowed_group", "dba"));

        assertThat(guard.onQuery(query("DROP TABLE orders", "bob", "dba"))).isSameAs(Decision.proceed());
        assertThat(guard.onQuery(query("SELECT * FROM orders", "alice"))).isSameAs(Decision.proceed());
        assertThat(guard.onQuery(query("DROP TABLESPACE x", "alice"))).isSameAs(Decision.proceed());
    }

    @Test
    void membersFileIsReadOnTheBlockingExecutor() throws Exception {
        Path members = Files.writeString(temp.resolve("droppers.txt"), "carol\n");
        Interceptor guard = guard(Map.of("allowed_group", "dba", "members_file", members.toString()));

        Decision carol = guard.onQuery(query("DROP TABLE t", "carol"));
        Decision dave = guard.onQuery(query("DROP TABLE t", "dave"));

        assertThat(carol).isInstanceOf(Decision.Later.class);
        assertThat(settle(carol)).isSameAs(Decision.proceed());
        assertThat(settle(dave)).isInstanceOf(Decision.Reject.class);
    }
}
