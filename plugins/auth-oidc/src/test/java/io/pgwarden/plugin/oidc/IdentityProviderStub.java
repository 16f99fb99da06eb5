package io.pgwarden.plugin.oidc;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider on 127.0.0.1 (JDK {@link HttpServer}): the discovery document at
 * {@code <issuer>/.well-known/openid-configuration} and the JWKS at {@code <issuer>/jwks}. The test
 * publishes keys, counts requests, makes the discovery document lie, slows or stops the server.
 */
final class IdentityProviderStub implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "idp-stub");
        thread.setDaemon(true);
        return thread;
    });
    private final String issuer;
    final AtomicInteger discoveryRequests = new AtomicInteger();
    final AtomicInteger jwksRequests = new AtomicInteger();
    private volatile List<JWK> keys = List.of();
    private volatile String announcedIssuer;
    private volatile String announcedJwksUri;
    private volatile String jwksBody;
    private volatile Duration delay = Duration.ZERO;

    IdentityProviderStub(String path) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + path;
        server.createContext(path + "/.well-known/openid-configuration", exchange -> {
            discoveryRequests.incrementAndGet();
            respond(exchange, "{\"issuer\":\"" + (announcedIssuer == null ? issuer : announcedIssuer) + "\",\"jwks_uri\":\""
                    + (announcedJwksUri == null ? jwksUri() : announcedJwksUri) + "\"}");
        });
        server.createContext(path + "/jwks", exchange -> {
            jwksRequests.incrementAndGet();
            respond(exchange, jwksBody != null ? jwksBody : new JWKSet(keys).toPublicJWKSet().toString());
        });
        server.setExecutor(handlers);
        server.start();
    }

    String issuer() {
        return issuer;
    }

    String jwksUri() {
        return issuer + "/jwks";
    }

    /** Publishes these keys (their public halves) from now on. */
    void publish(JWK... published) {
        keys = List.of(published);
    }

    /** Makes the discovery document name another issuer. */
    void announceIssuer(String other) {
        announcedIssuer = other;
    }

    /** Makes the discovery document point at another JWKS address. */
    void announceJwksUri(String other) {
        announcedJwksUri = other;
    }

    /** Serves this text as the JWKS instead of the published keys. */
    void jwksBody(String body) {
        jwksBody = body;
    }

    /** Answers every request this late. */
    void delay(Duration late) {
        delay = late;
    }

    /** The provider goes down: connections are refused from now on. */
    void stop() {
        server.stop(0);
        handlers.shutdownNow();
    }

    private void respond(HttpExchange exchange, String body) throws IOException {
        try {
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
