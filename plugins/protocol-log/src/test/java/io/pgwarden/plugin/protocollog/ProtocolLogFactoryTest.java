package io.pgwarden.plugin.protocollog;

import static io.pgwarden.plugin.protocollog.Payload.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.MessageContext;
import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import io.pgwarden.spi.SessionContext;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class ProtocolLogFactoryTest {

    private CapturingLogger logger = new CapturingLogger(System.Logger.Level.INFO);

    private Services services() {
        return new Services() {
            @Override
            public Metrics metrics() {
                throw new UnsupportedOperationException("protocol-log records no metrics");
            }

            @Override
            public System.Logger logger() {
                return logger;
            }

            @Override
            public Executor blockingExecutor() {
                throw new UnsupportedOperationException("protocol-log does not block");
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
                throw new UnsupportedOperationException("protocol-log needs no database");
            }
        };
    }

    private Interceptor create(Map<String, Object> settings) {
        return new ProtocolLogFactory().create(new PluginConfig("plugins[0]", settings), services());
    }

    private static MessageContext message(MessageContext.Direction direction, char type, ByteBuffer payload) {
        SessionContext session = new SessionContext() {
            @Override
            public String sessionId() {
                return "a1b2";
            }

            @Override
            public ClientInfo client() {
                return new ClientInfo(new InetSocketAddress("127.0.0.1", 5000), null);
            }

            @Override
            public Map<String, String> startupParameters() {
                return Map.of();
            }

            @Override
            public Optional<Identity> identity() {
                return Optional.empty();
            }

            @Override
            public Map<String, Object> attributes() {
                return Map.of();
            }
        };
        return new MessageContext() {
            @Override
            public SessionContext session() {
                return session;
            }

            @Override
            public Direction direction() {
                return direction;
            }

            @Override
            public char type() {
                return type;
            }

            @Override
            public ByteBuffer payload() {
                return payload;
            }
        };
    }

    @Test
    void isFoundByServiceLoaderUnderItsType() {
        assertThat(ServiceLoader.load(InterceptorFactory.class, getClass().getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).map(InterceptorFactory::type))
                .contains(ProtocolLogFactory.TYPE);
    }

    @Test
    void overridesOnlyOnMessage() throws Exception {
        Class<?> type = create(Map.of()).getClass();
        for (var method : Interceptor.class.getMethods()) {
            boolean overridden = type.getMethod(method.getName(), method.getParameterTypes()).getDeclaringClass() != Interceptor.class;
            assertThat(overridden).as(method.getName()).isEqualTo(method.getName().equals("onMessage"));
        }
    }

    @Test
    void logsOneLinePerMessageWithTheSessionId() {
        Interceptor interceptor = create(Map.of());

        interceptor.onMessage(message(MessageContext.Direction.FRONTEND, 'Q', body().cstring("SELECT 1").buffer()));
        interceptor.onMessage(message(MessageContext.Direction.BACKEND, 'Z', body().int8('I').buffer()));

        assertThat(logger.lines).containsExactly(
                "session=a1b2 → Query(query=\"SELECT 1\")",
                "session=a1b2 ← ReadyForQuery(status=IDLE)");
        assertThat(logger.levels).containsOnly(System.Logger.Level.INFO);
    }

    @Test
    void neverLogsAPasswordMessageOrAPasswordLiteral() {
        Interceptor interceptor = create(Map.of());

        interceptor.onMessage(message(MessageContext.Direction.FRONTEND, 'p', body().cstring("hunter2").buffer()));
        interceptor.onMessage(message(MessageContext.Direction.FRONTEND, 'Q',
                body().cstring("CREATE ROLE svc LOGIN PASSWORD 'hunter2'").buffer()));
        interceptor.onMessage(message(MessageContext.Direction.FRONTEND, 'P',
                body().cstring("").cstring("ALTER USER svc PASSWORD 'hunter2'").int16(0).buffer()));

        assertThat(logger.lines).hasSize(3).noneMatch(line -> line.contains("hunter2"));
        assertThat(logger.lines.get(0)).isEqualTo("session=a1b2 → PasswordMessage([redacted])");
    }

    @Test
    void levelAndMaxQueryLengthAreConfigurable() {
        logger = new CapturingLogger(System.Logger.Level.DEBUG);
        Interceptor interceptor = create(Map.of("level", "debug", "max_query_length", 6));

        interceptor.onMessage(message(MessageContext.Direction.FRONTEND, 'Q', body().cstring("SELECT 42").buffer()));

        assertThat(logger.lines).containsExactly("session=a1b2 → Query(query=\"SELECT…\")");
        assertThat(logger.levels).containsExactly(System.Logger.Level.DEBUG);
    }

    @Test
    void logsNothingWhenItsLevelIsOff() {
        Interceptor interceptor = create(Map.of("level", "DEBUG"));

        interceptor.onMessage(message(MessageContext.Direction.FRONTEND, 'Q', body().cstring("SELECT 1").buffer()));

        assertThat(logger.lines).isEmpty();
    }

    @Test
    void unknownLevelIsAConfigErrorWithItsPath() {
        assertThatThrownBy(() -> create(Map.of("level", "LOUD")))
                .isInstanceOfSatisfying(PluginConfigException.class, e -> assertThat(e.path()).isEqualTo("plugins[0].level"));
    }

    @Test
    void nonPositiveMaxQueryLengthIsAConfigError() {
        assertThatThrownBy(() -> create(Map.of("max_query_length", 0)))
                .isInstanceOfSatisfying(PluginConfigException.class,
                        e -> assertThat(e.path()).isEqualTo("plugins[0].max_query_length"));
        assertThatThrownBy(() -> create(Map.of("max_query_length", "long")))
                .isInstanceOfSatisfying(PluginConfigException.class,
                        e -> assertThat(e.path()).isEqualTo("plugins[0].max_query_length"));
    }

    @Test
    void unknownSettingIsAConfigError() {
        assertThatThrownBy(() -> create(Map.of("max_query_lenght", 10)))
                .isInstanceOfSatisfying(PluginConfigException.class,
                        e -> assertThat(e.path()).isEqualTo("plugins[0].max_query_lenght"));
    }
}
