package io.pgwarden.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Requests fed as raw bytes through the endpoint's real pipeline (HTTP codec and handler), as a
 * client would send them: routes, methods, limits and one answer per connection.
 */
class AdminHttpHandlerTest {

    private List<String> problems = List.of();

    private EmbeddedChannel channel() {
        AdminRoutes routes = new AdminRoutes(() -> problems, () -> "# HELP up x\n# TYPE up gauge\nup 1.0\n");
        return new EmbeddedChannel(new HttpServerCodec(4096, 8192, 8192), new AdminHttpHandler(routes));
    }

    /** Sends the request one byte at a time and returns the whole response text. */
    private String exchange(String request) {
        EmbeddedChannel channel = channel();
        byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
        for (byte b : bytes) {
            if (!channel.isOpen()) {
                break;
            }
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        StringBuilder response = new StringBuilder();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            response.append(out.toString(StandardCharsets.UTF_8));
            out.release();
        }
        assertThat(channel.isOpen()).as("the connection closes after the answer").isFalse();
        assertFalse(channel.finish());
        return response.toString();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    @Test
    void healthAnswersOk() {
        String response = exchange(get("/health"));

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 3\r\n", "connection: close\r\n")
                .endsWith("\r\n\r\nok\n");
    }

    @Test
    void readyAnswers200WithoutProblemsAnd503WithEachReason() {
        assertThat(exchange(get("/ready"))).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nready\n");

        problems = List.of("backend primary (127.0.0.1:5432): not reachable (Connection refused)", "proxy: starting");

        assertThat(exchange(get("/ready"))).startsWith("HTTP/1.1 503 Service Unavailable")
                .endsWith("\r\n\r\nnot ready\nbackend primary (127.0.0.1:5432): not reachable (Connection refused)\nproxy: starting\n");
    }

    @Test
    void metricsUsePrometheusContentTypeAndIgnoreTheQueryString() {
        String response = exchange(get("/metrics?name[]=up"));

        assertThat(response).startsWith("HTTP/1.1 200 OK").contains("content-type: text/plain; version=0.0.4; charset=utf-8\r\n")
                .endsWith("\r\n\r\n# HELP up x\n# TYPE up gauge\nup 1.0\n");
    }

    @Test
    void headSendsTheHeadersWithTheLengthButNoBody() {
        String response = exchange("HEAD /health HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 OK").contains("content-length: 3\r\n").endsWith("\r\n\r\n");
    }

    @Test
    void otherMethodsAre405WithAllow() {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE")) {
            String response = exchange(method + " /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");

            assertThat(response).as(method).startsWith("HTTP/1.1 405 Method Not Allowed").contains("allow: GET, HEAD\r\n");
        }
    }

    @Test
    void unknownPathsAre404() {
        for (String path : List.of("/", "/healthz", "/metrics/", "/ready/x", "/../metrics", "*", "http://host/health")) {
            assertThat(exchange(get(path))).as(path).startsWith("HTTP/1.1 404 Not Found");
        }
        assertThat(exchange("POST /admin HTTP/1.1\r\nHost: localhost\r\n\r\n")).startsWith("HTTP/1.1 404 Not Found");
    }

    @Test
    void overlongRequestLineIsRefusedBeforeItIsBuffered() {
        String response = exchange("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 414 Request-URI Too Long");
    }

    @Test
    void overlongHeadersAreRefused() {
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            headers.add("X-Filler-" + i + ": " + "b".repeat(60));
        }
        String response = exchange("GET /health HTTP/1.1\r\n" + String.join("\r\n", headers) + "\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 431 Request Header Fields Too Large");
    }

    @Test
    void garbageIsABadRequest() {
        assertThat(exchange("\u0001\u0002 not http at all\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request");
    }

    @Test
    void anAnswerIsNeverSentTwiceOnOneConnection() {
        String response = exchange(get("/health") + get("/ready"));

        assertThat(response.split("HTTP/1.1 ", -1)).hasSize(2);
    }
}
