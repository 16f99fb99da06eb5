package io.pgwarden.it.tls;

import io.pgwarden.it.robust.ProxyConfigs;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.TestCertificates;

/**
 * One PostgreSQL and three proxies in front of it, one per client TLS mode (disable, allow,
 * require), with certificates from a test CA. Closing closes them all.
 *
 * @param certificates the test CA and the proxy's certificate
 * @param postgres the server (plaintext towards the proxies)
 * @param disabled the proxy with {@code tls.mode: disable}
 * @param allowed the proxy with {@code tls.mode: allow}
 * @param required the proxy with {@code tls.mode: require}
 */
record TlsModeProxies(TestCertificates certificates, EmbeddedPostgres postgres, ProxyFixture disabled,
                      ProxyFixture allowed, ProxyFixture required) implements AutoCloseable {

    static TlsModeProxies start() throws Exception {
        TestCertificates certificates = TestCertificates.create();
        EmbeddedPostgres postgres = EmbeddedPostgres.start();
        String tls = "{ mode: %s, cert: \"" + certificates.serverCertificate() + "\", key: \"" + certificates.serverKey() + "\" }";
        return new TlsModeProxies(certificates, postgres,
                ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), "{ mode: disable }", "")),
                ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), tls.formatted("allow"), "")),
                ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), tls.formatted("require"), "")));
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {disabled, allowed, required, postgres, certificates}) {
            closeable.close();
        }
    }
}
