package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The plugin's YAML section for the validator's tests, as the core hands it over. */
final class ValidatorConfig {

    private ValidatorConfig() {
    }

    /** A map of alternating keys and values, in order. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** An issuer entry with audience pgwarden plus the given keys. */
    static Map<String, Object> issuer(String issuer, Object... keysAndValues) {
        Map<String, Object> entry = map("issuer", issuer, "audience", "pgwarden");
        entry.putAll(map(keysAndValues));
        return entry;
    }

    @SafeVarargs
    static PluginConfig plugin(Map<String, Object>... issuers) {
        return new PluginConfig("plugins[0]", map("type", "oidc", "issuers", List.of(issuers)));
    }
}
