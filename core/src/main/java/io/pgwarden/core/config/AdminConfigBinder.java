package io.pgwarden.core.config;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Maps {@code admin:} onto {@link AdminHttpConfig} and {@link AdminConsoleConfig}. {@code admin.http.listen} is {@code host:port}
 * ({@code [::1]:9127} for an IPv6 address); without it there is no admin endpoint.
 */
final class AdminConfigBinder {

    private static final Duration SHORTEST_INTERVAL = Duration.ofMillis(100);
    private static final String LISTEN = "host:port, e.g. 127.0.0.1:9127 or [::1]:9127";

    private AdminConfigBinder() {
    }

    static AdminHttpConfig bind(YamlSection admin) {
        admin.allowOnly("http", "console");
        YamlSection http = admin.section("http");
        http.allowOnly("listen", "ready_check_interval");
        Duration interval = http.duration("ready_check_interval", AdminHttpConfig.DEFAULT_READY_CHECK_INTERVAL, SHORTEST_INTERVAL);
        String listen = http.text("listen", null);
        if (listen == null) {
            return AdminHttpConfig.DISABLED;
        }
        String text = listen.trim();
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            host = "";
        }
        Integer port = colon < 0 ? null : port(text.substring(colon + 1));
        if (host.isBlank() || port == null) {
            http.problem("listen", "expected " + LISTEN + " (port 0-65535), found '" + YamlDocument.shorten(listen) + "'");
            return AdminHttpConfig.DISABLED;
        }
        return AdminHttpConfig.listening(host, port, interval);
    }

    /** Binds {@code admin.console}; a list entry that is not a plain name is a problem with its path. */
    static AdminConsoleConfig bindConsole(YamlSection admin) {
        YamlSection console = admin.section("console");
        console.allowOnly("users");
        Set<String> users = new LinkedHashSet<>();
        int index = 0;
        for (Node item : console.list("users", false)) {
            String path = console.pathOf("users") + "[" + index++ + "]";
            if (item instanceof ScalarNode scalar && !YamlSection.isNull(item) && !scalar.getValue().isBlank()) {
                users.add(scalar.getValue().trim());
            } else {
                console.problems().add(item, path, "expected a database user name, found " + YamlSection.describe(item));
            }
        }
        return users.isEmpty() ? AdminConsoleConfig.DISABLED : new AdminConsoleConfig(users);
    }

    private static Integer port(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        int port = Integer.parseInt(text);
        return port <= 65535 ? port : null;
    }
}
