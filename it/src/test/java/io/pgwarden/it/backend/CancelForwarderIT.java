package io.pgwarden.it.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.socket.nio.NioSocketChannel;
import io.pgwarden.core.backend.CancelForwarder;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig.Mode;
import io.pgwarden.spi.Credential;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.TestCertificates;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A cancel forwarded with the server's key stops the running query, over plaintext and over TLS. */
@ExtendWith(LeakCheckExtension.class)
class CancelForwarderIT {

    private static TestCertificates certificates;
    private static EmbeddedPostgres pg;
    private static BackendTestSupport support;
    private static CancelForwarder forwarder;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        pg = EmbeddedPostgres.builder().tls(certificates).hba("hostssl all all 127.0.0.1/32 trust")
                .hba("hostnossl all all 127.0.0.1/32 trust").start();
        support = new BackendTestSupport();
        forwarder = new CancelForwarder(NioSocketChannel.class, support.group);
    }

    @AfterAll
    static void stop() {
        try {
            support.close();
            pg.close();
        } finally {
            certificates.close();
        }
    }

    private void cancelsARunningQuery(BackendConfig backend) throws Exception {
        ServerConnection connection = support.connect(backend, BackendTestSupport.login(EmbeddedPostgres.SUPERUSER,
                Credential.none()));
        try {
            QueryProbe probe = QueryProbe.attach(connection);
            CompletableFuture<QueryProbe.Result> sleeping = probe.send(connection.channel(), "SELECT pg_sleep(60)");
            // Cancel only once the server runs the statement, or the cancel would find nothing to stop.
            awaitActive(connection.keyData().processId());
            forwarder.cancel(backend, connection.keyData()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            QueryProbe.Result result = sleeping.get(10, TimeUnit.SECONDS);
            assertThat(result.error()).isNotNull();
            assertThat(result.error().sqlState()).isEqualTo("57014");
        } finally {
            connection.close();
        }
    }

    private static void awaitActive(int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (var jdbc = pg.superuserConnection(); var statement = jdbc.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (var rs = statement.executeQuery("SELECT wait_event FROM pg_stat_activity WHERE pid = " + pid)) {
                    if (rs.next() && "PgSleep".equals(rs.getString(1))) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the query never started");
    }

    @Test
    void cancelOverPlaintextStopsTheQuery() throws Exception {
        cancelsARunningQuery(BackendTestSupport.backend(pg.host(), pg.port(), Mode.DISABLE, null));
    }

    @Test
    void cancelOverTlsStopsTheQuery() throws Exception {
        cancelsARunningQuery(BackendTestSupport.backend("localhost", pg.port(), Mode.VERIFY_FULL,
                certificates.caCertificate()));
    }

    @Test
    void cancelWithAWrongKeyLeavesTheQueryRunning() throws Exception {
        BackendConfig backend = BackendTestSupport.backend(pg.host(), pg.port(), Mode.REQUIRE, null);
        ServerConnection connection = support.connect(backend, BackendTestSupport.login(EmbeddedPostgres.SUPERUSER,
                Credential.none()));
        try {
            QueryProbe probe = QueryProbe.attach(connection);
            CompletableFuture<QueryProbe.Result> sleeping = probe.send(connection.channel(), "SELECT pg_sleep(1)");
            awaitActive(connection.keyData().processId());
            byte[] wrongKey = connection.keyData().secretKey();
            wrongKey[0] ^= 1;
            forwarder.cancel(backend, new io.pgwarden.core.protocol.backend.BackendKeyData(
                    connection.keyData().processId(), wrongKey)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(sleeping.get(10, TimeUnit.SECONDS).error()).isNull();
        } finally {
            connection.close();
        }
    }
}
