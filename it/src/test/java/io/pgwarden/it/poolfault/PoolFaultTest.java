package io.pgwarden.it.poolfault;

import static io.pgwarden.it.poolfault.PoolFixture.SOON;
import static io.pgwarden.it.poolfault.PoolFixture.USER;

import io.pgwarden.testkit.BackendActivity;
import io.pgwarden.testkit.BackgroundTasks;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.ProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every pool failure test starts from: no server of the pooled user left from the test before,
 * a place for background clients, and the test's proxy, all closed after each test. Each test class
 * registers its own PostgreSQL ({@link #postgres()}).
 */
@ExtendWith(LeakCheckExtension.class)
@Timeout(120)
abstract class PoolFaultTest {

    /** The pooled user's server processes. */
    BackendActivity activity;
    /** Clients running beside the test's own. */
    BackgroundTasks background;
    /** The proxy a test starts, or null. */
    ProxyFixture proxy;

    /** @return the test class's PostgreSQL */
    abstract EmbeddedPostgres postgres();

    @BeforeEach
    void startFromNoServers() {
        activity = BackendActivity.of(postgres(), USER);
        activity.terminateAll(SOON);
        background = new BackgroundTasks();
    }

    @AfterEach
    void stopProxyAndBackgroundClients() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            background.close();
        }
    }
}
