package io.pgwarden.plugin.oidc;

/**
 * Provisioning could not be done: the admin connection failed, or PostgreSQL refused a statement (the admin lacks
 * a privilege, a managed group role does not exist). The message is for the client (FATAL 08006) and names neither
 * the admin's password nor the server's error; the log reason holds the cause.
 */
final class ProvisioningFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String logReason;

    /**
     * Creates the exception.
     *
     * @param message for the client
     * @param logReason for the log
     */
    ProvisioningFailedException(String message, String logReason) {
        super(message);
        this.logReason = logReason;
    }

    /**
     * The cause for the log.
     *
     * @return the server's SQLSTATE and message, never a password
     */
    String logReason() {
        return logReason;
    }
}
