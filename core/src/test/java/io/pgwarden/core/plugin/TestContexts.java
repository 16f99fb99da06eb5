package io.pgwarden.core.plugin;

import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Plain contexts for calling hooks in unit tests. */
final class TestContexts {

    private TestContexts() {
    }

    static StartupContext startup() {
        return new Session();
    }

    static QueryContext query(String sql) {
        Session session = new Session();
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

    static final class Session implements StartupContext {
        private final Map<String, String> parameters = new HashMap<>(Map.of("user", "alice", "database", "app"));
        private final Map<String, Object> attributes = new HashMap<>();

        @Override
        public String sessionId() {
            return "s1";
        }

        @Override
        public ClientInfo client() {
            return new ClientInfo(new InetSocketAddress("127.0.0.1", 40000), null);
        }

        @Override
        public Map<String, String> startupParameters() {
            return Map.copyOf(parameters);
        }

        @Override
        public Optional<Identity> identity() {
            return Optional.empty();
        }

        @Override
        public Map<String, Object> attributes() {
            return attributes;
        }

        @Override
        public void setParameter(String name, String value) {
            parameters.put(name, value);
        }

        @Override
        public void removeParameter(String name) {
            parameters.remove(name);
        }
    }
}
