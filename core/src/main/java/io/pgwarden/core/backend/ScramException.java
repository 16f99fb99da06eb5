package io.pgwarden.core.backend;

/** A SCRAM message from the server that the client refuses; the message says why, without secrets. */
final class ScramException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ScramException(String message) {
        super(message);
    }
}
