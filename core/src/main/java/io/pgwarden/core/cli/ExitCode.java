package io.pgwarden.core.cli;

/** The process exit codes of the {@code pgwarden} command, as documented in docs/configuration.md. */
final class ExitCode {

    /** Success. */
    static final int OK = 0;
    /**
     * A failure at run time: a port that cannot be bound, a plugin that fails to start, PostgreSQL that will not start;
     * for the login commands, a sign-in that failed, no login or an expired one, an issuer that is wrong or unreachable.
     */
    static final int RUNTIME_FAILURE = 1;
    /**
     * The command line is wrong: an unknown option, a missing argument, a malformed HOST:PORT; or
     * what was typed is: an empty password or two that differ for {@code passwd}.
     */
    static final int USAGE = 2;
    /** The configuration is invalid; every problem has been printed. */
    static final int INVALID_CONFIGURATION = 3;

    private ExitCode() {
    }
}
