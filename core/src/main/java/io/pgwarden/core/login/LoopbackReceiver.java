package io.pgwarden.core.login;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The loopback redirect of a native app's browser sign-in (RFC 8252 section 7.3): an HTTP listener on 127.0.0.1 and an
 * ephemeral port that takes the one redirect carrying the authorization code, checks its {@code state}, shows the
 * person a page saying whether it worked, and hands the code over.
 */
final class LoopbackReceiver implements AutoCloseable {

    /** The redirect URI's path. */
    static final String PATH = "/callback";

    private final HttpServer server;
    private final ExecutorService executor;
    private final String state;
    private final CompletableFuture<String> code = new CompletableFuture<>();

    private LoopbackReceiver(HttpServer server, ExecutorService executor, String state) {
        this.server = server;
        this.executor = executor;
        this.state = state;
    }

    /**
     * Starts listening.
     *
     * @param state the state the redirect must carry
     * @return the receiver; close it when done
     * @throws LoginException when no loopback port can be opened
     */
    static LoopbackReceiver start(String state) {
        Objects.requireNonNull(state, "state");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "pgwarden-login-loopback");
                thread.setDaemon(true);
                return thread;
            });
            LoopbackReceiver receiver = new LoopbackReceiver(server, executor, state);
            server.createContext(PATH, receiver::handle);
            server.setExecutor(executor);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new LoginException("cannot listen on 127.0.0.1 for the browser's redirect: " + e.getMessage(), e);
        }
    }

    /**
     * The redirect URI to register in the authorization request.
     *
     * @return {@code http://127.0.0.1:PORT/callback}
     */
    URI redirectUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /**
     * Waits for the redirect.
     *
     * @param timeout how long to wait
     * @return the authorization code
     * @throws LoginException when the redirect carries an error or a wrong state, or does not come in time
     * @throws InterruptedException when interrupted
     */
    String await(Duration timeout) throws InterruptedException {
        try {
            return code.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new LoginException("no sign-in arrived from the browser within " + timeout.toMinutes()
                    + " minutes; run pgwarden login again", e);
        } catch (ExecutionException e) {
            throw (LoginException) e.getCause();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (code.isDone()) {
                respond(exchange, 409, "This sign-in is already finished. You can close this window.");
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "Only the identity provider's redirect is expected here.");
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (!state.equals(query.get("state"))) {
                respond(exchange, 400, "This answer is not for the sign-in pgwarden started (wrong state). Nothing was"
                        + " saved.");
                code.completeExceptionally(new LoginException("the browser's redirect carried a wrong state: it is not"
                        + " the answer to this login (an old tab, or another site's page); nothing was saved"));
            } else if (query.containsKey("error")) {
                respond(exchange, 400, "The sign-in failed: " + query.get("error") + ". Nothing was saved.");
                String description = query.get("error_description");
                code.completeExceptionally(new LoginException("the identity provider refused the sign-in: "
                        + ProviderText.printable(query.get("error"))
                        + (description == null ? "" : " (" + ProviderText.printable(description) + ")")));
            } else if (query.get("code") == null || query.get("code").isEmpty()) {
                respond(exchange, 400, "The answer has no authorization code. Nothing was saved.");
                code.completeExceptionally(new LoginException("the browser's redirect carried no authorization code"));
            } else {
                respond(exchange, 200, "Signed in to pgwarden. You can close this window and return to the terminal.");
                code.complete(query.get("code"));
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        byte[] page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>pgwarden login</title></head>"
                + "<body><p>" + escaped + "</p></body></html>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, page.length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(page);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> parameters = new HashMap<>();
        if (raw == null) {
            return parameters;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            // A repeated parameter is suspicious; the first one counts and a second cannot replace it.
            parameters.putIfAbsent(name, value);
        }
        return parameters;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
