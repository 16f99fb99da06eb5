package io.pgwarden.core.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The admin endpoint's three resources: {@code /health}, {@code /ready} and {@code /metrics}. Only
 * GET and HEAD exist; a query string is ignored. Nothing here blocks: readiness is a cached result and
 * the scrape reads meters.
 */
final class AdminRoutes {

    static final String ALLOWED_METHODS = "GET, HEAD";

    private final Supplier<List<String>> readinessProblems;
    private final Supplier<String> metrics;

    /**
     * @param readinessProblems why the proxy is not ready; empty when it is
     * @param metrics the Prometheus scrape text
     */
    AdminRoutes(Supplier<List<String>> readinessProblems, Supplier<String> metrics) {
        this.readinessProblems = Objects.requireNonNull(readinessProblems, "readinessProblems");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * The answer to a request.
     *
     * @param method the request method
     * @param uri the request target as sent
     * @return the reply; for HEAD the caller sends its headers only
     */
    AdminReply reply(HttpMethod method, String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (!path.equals("/health") && !path.equals("/ready") && !path.equals("/metrics")) {
            return AdminReply.text(HttpResponseStatus.NOT_FOUND, "not found; resources: /health, /ready, /metrics\n");
        }
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            return AdminReply.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed; use GET or HEAD\n");
        }
        return switch (path) {
            case "/health" -> AdminReply.text(HttpResponseStatus.OK, "ok\n");
            case "/ready" -> ready();
            default -> new AdminReply(HttpResponseStatus.OK, AdminReply.PROMETHEUS_TEXT, metrics.get());
        };
    }

    private AdminReply ready() {
        List<String> problems = readinessProblems.get();
        if (problems.isEmpty()) {
            return AdminReply.text(HttpResponseStatus.OK, "ready\n");
        }
        StringBuilder body = new StringBuilder("not ready\n");
        for (String problem : problems) {
            body.append(problem).append('\n');
        }
        return AdminReply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, body.toString());
    }
}
