package io.pgwarden.spi;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * An authentication method, named in the auth rules ({@code method: trust}). The core owns the
 * protocol messages and their order; the authenticator asks for what it needs through the
 * {@link AuthExchange} and decides.
 *
 * <p>An authenticator must answer the same way, in the same number of steps and with the same
 * message, whether a user exists or not.
 */
public interface Authenticator {

    /**
     * The method name used in auth rules.
     *
     * @return the name, e.g. {@code trust}
     */
    String method();

    /**
     * Authenticates one client.
     *
     * @param exchange the conversation with the client
     * @return completes with the outcome; a stage that fails is reported as an internal error
     */
    CompletionStage<AuthOutcome> authenticate(AuthExchange exchange);

    /**
     * Checks the options of an auth rule that names this method (everything in the rule beside
     * the match keys, {@code method}, {@code backend} and {@code login}), once at startup and on
     * each reload, so that a misspelt or invalid option stops the proxy with its YAML path instead
     * of surprising the first client. The default accepts any options. Since SPI 1.1.
     *
     * @param options the rule's options, as {@link AuthExchange#ruleOptions()} will give them
     * @throws PluginConfigException naming the option key as its path (e.g. {@code channel_binding})
     *     when an option is unknown or invalid; the core prefixes the rule's path
     */
    default void checkRuleOptions(Map<String, String> options) {
    }
}
