package io.pgwarden.it.keycloak;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Stops the shared {@link KeycloakServer} when JUnit closes its root store, at the end of the test run, rather than
 * only from the JVM's shutdown hook. The store entry is a plain {@link AutoCloseable}, which JUnit 5.13+ closes with the
 * store (its older {@code CloseableResource} is deprecated). Registered for every test class by autodetection (META-INF/services); it costs
 * one store entry and starts nothing.
 */
public final class KeycloakServerShutdown implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KeycloakServerShutdown.class);

    /** Puts the closing resource into the root store once per run. */
    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("stop", key -> new StopOnClose(), StopOnClose.class);
    }

    /** Closed by JUnit with the root store. */
    private static final class StopOnClose implements AutoCloseable {
        @Override
        public void close() {
            KeycloakServer.stopShared();
        }
    }
}
