package io.pgwarden.core.auth;

import io.pgwarden.spi.PluginConfigException;
import java.util.Map;

/** The check of the built-in methods, which take no rule options: any option is a misspelling. */
final class NoRuleOptions {

    private NoRuleOptions() {
    }

    static void check(String method, Map<String, String> options) {
        if (!options.isEmpty()) {
            String key = new java.util.TreeSet<>(options.keySet()).first();
            throw new PluginConfigException(key, "unknown option for method " + method + ", which takes none; rule keys are "
                    + "database, user, address, tls, method, backend and login");
        }
    }
}
