package io.pgwarden.core.backend;

import io.netty.handler.codec.DecoderException;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.ProtocolException;
import java.util.concurrent.CompletionException;

/** The {@link BackendException}s of a connection attempt, worded once. */
final class BackendFailures {

    private BackendFailures() {
    }

    static String address(BackendConfig backend) {
        return backend.name() + " (" + backend.host() + ":" + backend.port() + ")";
    }

    static BackendException tls(BackendConfig backend, Throwable cause) {
        Throwable reason = cause;
        while (reason.getCause() != null && reason.getCause() != reason
                && (reason.getMessage() == null || reason instanceof DecoderException)) {
            reason = reason.getCause();
        }
        return new BackendException("08001", "TLS with backend " + backend.name() + " (" + backend.host() + ":"
                + backend.port() + ", sslmode " + backend.tls().mode().yamlName() + ") failed: " + reason.getMessage(),
                cause);
    }

    static BackendException unexpected(BackendConfig backend, byte type, String phase) {
        return new BackendException("08P01", "backend " + backend.name() + " sent " + MessageType.backendName(type)
                + " " + phase + ", which the protocol does not allow there");
    }

    static BackendException of(BackendConfig backend, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof BackendException backendException) {
            return backendException;
        }
        if (cause instanceof ProtocolException protocol) {
            return new BackendException(protocol.sqlState(), "backend " + backend.name() + " broke the protocol: "
                    + protocol.getMessage(), protocol);
        }
        return new BackendException("08001", "could not connect to backend " + backend.name() + ": " + cause, cause);
    }
}
