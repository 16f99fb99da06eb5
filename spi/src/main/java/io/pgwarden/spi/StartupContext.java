package io.pgwarden.spi;

/**
 * The session as onStartup sees it: startup parameters may be changed here.
 */
public interface StartupContext extends SessionContext {

    /**
     * Sets or replaces a startup parameter. The names {@code user} and {@code database} change
     * what authentication and the backend see.
     *
     * @param name parameter name
     * @param value parameter value
     */
    void setParameter(String name, String value);

    /**
     * Removes a startup parameter; {@code user} cannot be removed.
     *
     * @param name parameter name
     */
    void removeParameter(String name);
}
