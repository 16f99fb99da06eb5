/**
 * A throw-away PostgreSQL server from the embedded zonky binaries on the class path, for
 * {@code pgwarden demo} and the test kit: {@link io.pgwarden.core.embedded.PostgresCluster} unpacks the
 * binaries once per machine, runs initdb and pg_ctl (as {@code nobody} when the JVM is root), and deletes
 * every file it made.
 */
package io.pgwarden.core.embedded;
