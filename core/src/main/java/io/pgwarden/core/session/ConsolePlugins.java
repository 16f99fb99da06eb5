package io.pgwarden.core.session;

import io.pgwarden.core.plugin.InterceptorChain;
import io.pgwarden.core.plugin.PluginInterceptor;
import io.pgwarden.spi.Authenticator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * {@code SHOW PLUGINS} (pgwarden's own): one row per interceptor of the chain, in chain order, with
 * the plugin's version and the SPI version it requires (from its jar's manifest), the hooks the core
 * calls it for and the auth methods it provides.
 */
final class ConsolePlugins {

    private static final List<String> COLUMNS = List.of("order", "type", "version", "spi", "hooks", "auth_methods", "origin");

    private ConsolePlugins() {
    }

    /**
     * The table of a chain.
     *
     * @param chain the running chain
     * @return the table
     */
    static ConsoleTable table(InterceptorChain chain) {
        Map<String, PluginInterceptor[]> hooks = new LinkedHashMap<>();
        hooks.put("onStartup", chain.startupHooks());
        hooks.put("onAuth", chain.authHooks());
        hooks.put("onQuery", chain.queryHooks());
        hooks.put("onComplete", chain.completeHooks());
        hooks.put("onRow", chain.rowHooks());
        hooks.put("onMessage", chain.messageHooks());
        hooks.put("onSessionEnd", chain.sessionEndHooks());
        List<List<String>> rows = new ArrayList<>();
        int order = 1;
        for (PluginInterceptor interceptor : chain.interceptors()) {
            List<String> implemented = new ArrayList<>();
            hooks.forEach((hook, subscribers) -> {
                if (Arrays.asList(subscribers).contains(interceptor)) {
                    implemented.add(hook);
                }
            });
            Attributes manifest = manifest(interceptor.origin());
            rows.add(Arrays.asList(Integer.toString(order++), interceptor.type(), manifest.getValue("Plugin-Version"),
                    manifest.getValue("Plugin-Requires"), String.join(", ", implemented),
                    String.join(", ", interceptor.authenticators().stream().map(Authenticator::method).toList()), interceptor.origin()));
        }
        return new ConsoleTable(COLUMNS, rows);
    }

    /** The main attributes of a plugin jar's manifest; empty for the class path or a file without one. */
    private static Attributes manifest(String origin) {
        Path file = Path.of(origin.endsWith(".jar") ? origin : ".");
        if (!Files.isRegularFile(file)) {
            return new Attributes();
        }
        try (JarFile jar = new JarFile(file.toFile())) {
            Manifest manifest = jar.getManifest();
            return manifest == null ? new Attributes() : manifest.getMainAttributes();
        } catch (IOException e) {
            return new Attributes();
        }
    }
}
