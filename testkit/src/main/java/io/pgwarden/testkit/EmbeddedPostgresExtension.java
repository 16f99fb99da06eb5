package io.pgwarden.testkit;

import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link EmbeddedPostgres} per test class: started before the first test, stopped and deleted after the
 * last.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedPostgresExtension PG = EmbeddedPostgresExtension.with(() -> EmbeddedPostgres.builder()
 *         .role("alice", "secret", PasswordEncryption.SCRAM_SHA_256));
 * ... PG.server().jdbcUrl("postgres", "alice") ...
 * }</pre>
 *
 * <p>As {@code @ExtendWith(EmbeddedPostgresExtension.class)} it starts a trust-all server and injects it into
 * test and lifecycle method parameters of type {@link EmbeddedPostgres}.
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final Supplier<EmbeddedPostgres.Builder> configuration;
    private EmbeddedPostgres server;
    private ExtensionContext owner;

    /** A trust-all server; the form {@code @ExtendWith} uses. */
    public EmbeddedPostgresExtension() {
        this(EmbeddedPostgres::builder);
    }

    private EmbeddedPostgresExtension(Supplier<EmbeddedPostgres.Builder> configuration) {
        this.configuration = Objects.requireNonNull(configuration, "configuration");
    }

    /** A server built by this builder supplier, for {@code @RegisterExtension static} fields. */
    public static EmbeddedPostgresExtension with(Supplier<EmbeddedPostgres.Builder> configuration) {
        return new EmbeddedPostgresExtension(configuration);
    }

    /** The running server; only between the class's first and last test. */
    public EmbeddedPostgres server() {
        if (server == null) {
            throw new IllegalStateException("the embedded PostgreSQL runs only while its test class runs; "
                    + "register the extension on a static field");
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // @Nested classes run beforeAll again; they share the outer class's server.
        if (server == null) {
            server = configuration.get().start();
            owner = context;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context == owner) {
            try {
                server.close();
            } finally {
                server = null;
                owner = null;
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedPostgres.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server();
    }
}
