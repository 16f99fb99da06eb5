/**
 * Connections from the proxy to PostgreSQL: {@link io.pgwarden.core.backend.BackendConnector} opens
 * a logged-in {@link io.pgwarden.core.backend.ServerConnection} (TLS with libpq's sslmode meanings,
 * StartupMessage, authentication as a client through a
 * {@link io.pgwarden.core.backend.BackendAuthResponder}, usually a
 * {@link io.pgwarden.core.backend.CredentialResponder}: cleartext, md5, SCRAM-SHA-256(-PLUS), client
 * certificates), and {@link io.pgwarden.core.backend.CancelForwarder} forwards cancel requests.
 * Failures are {@link io.pgwarden.core.backend.BackendException}s with a SQLSTATE.
 */
package io.pgwarden.core.backend;
