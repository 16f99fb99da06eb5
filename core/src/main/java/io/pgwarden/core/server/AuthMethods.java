package io.pgwarden.core.server;

import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.config.ConfigException;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.plugin.InterceptorChain;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.PluginConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Checks that every auth rule's method exists once the plugins are loaded, and accepts the rule's
 * options; the config alone cannot tell. Runs at start and at each reload.
 */
final class AuthMethods {

    private AuthMethods() {
    }

    /**
     * @param config the configuration
     * @param chain the chain its rules will use
     * @throws ConfigException naming the path of every rule with an unknown method or a refused option
     */
    static void check(ProxyConfig config, InterceptorChain chain) {
        List<String> problems = new ArrayList<>();
        for (AuthRule rule : config.auth().rules()) {
            Optional<Authenticator> authenticator = chain.authenticator(rule.method());
            if (authenticator.isEmpty()) {
                problems.add(rule.path() + ".method: unknown authentication method '" + rule.method()
                        + "'; available: " + String.join(", ", new TreeSet<>(chain.authMethods())));
                continue;
            }
            try {
                authenticator.get().checkRuleOptions(rule.options());
            } catch (PluginConfigException e) {
                problems.add(rule.path() + "." + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
