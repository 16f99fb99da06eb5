package io.pgwarden.core.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;

/**
 * An answer of the admin endpoint before it is put on the wire.
 *
 * @param status the HTTP status
 * @param contentType the Content-Type
 * @param body the body text (UTF-8)
 */
record AdminReply(HttpResponseStatus status, String contentType, String body) {

    static final String PLAIN_TEXT = "text/plain; charset=utf-8";
    /** Prometheus' text exposition format, as its scrapers expect it. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** Checks for null. */
    AdminReply {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }

    static AdminReply text(HttpResponseStatus status, String body) {
        return new AdminReply(status, PLAIN_TEXT, body);
    }
}
