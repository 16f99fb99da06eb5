package io.pgwarden.it.robust;

import io.pgwarden.testkit.ProxyFixture;

/**
 * The proxy configurations the hook, TLS and robustness tests start: one backend, passthrough
 * authentication (the embedded server trusts loopback), and the listener and extra sections a test adds.
 */
public final class ProxyConfigs {

    private ProxyConfigs() {
    }

    /**
     * A configuration with a plaintext backend on {@code backendPort}.
     *
     * @param backendPort the embedded PostgreSQL's port
     * @param listenTls the {@code listen.tls} flow mapping, e.g. {@code { mode: disable }}
     * @param extra more top-level YAML (plugins, limits), or an empty string
     * @return the YAML text
     */
    public static String yaml(int backendPort, String listenTls, String extra) {
        return """
                listen: { host: 127.0.0.1, port: 0, tls: %s }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                %s
                """.formatted(listenTls, backendPort, extra);
    }

    /**
     * Starts a proxy in this JVM.
     *
     * @param yaml the configuration
     * @return the running proxy; the caller closes it
     */
    public static ProxyFixture start(String yaml) {
        return ProxyFixture.fromYaml(yaml);
    }
}
