package io.pgwarden.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Maps {@code auth.rules} onto {@link AuthRule}s. Method names are not checked here: plugins provide
 * methods, so only the plugin host knows which exist.
 */
final class AuthRulesBinder {

    private static final List<String> RULE_KEYS = List.of("database", "user", "address", "tls", "method", "backend", "login");

    private final SecretResolver secrets;
    private final Problems problems;

    AuthRulesBinder(SecretResolver secrets, Problems problems) {
        this.secrets = secrets;
        this.problems = problems;
    }

    AuthConfig bind(YamlSection top, Map<String, BackendConfig> backends) {
        List<AuthRule> rules = new ArrayList<>();
        if (!top.has("auth")) {
            problems.addMissing(top.node(), "auth", "is required: at least one rule, e.g. "
                    + "auth: { rules: [ { method: passthrough } ] }");
            return new AuthConfig(rules);
        }
        YamlSection auth = top.section("auth");
        auth.allowOnly("rules");
        Node rulesNode = auth.value("rules");
        List<Node> items = auth.list("rules", false);
        if (rulesNode == null || YamlSection.isNull(rulesNode)) {
            problems.addMissing(auth.node(), "auth.rules", "is required: at least one rule, e.g. rules: [ { method: passthrough } ]");
        } else if (items.isEmpty() && rulesNode instanceof SequenceNode) {
            problems.add(rulesNode, "auth.rules", "needs at least one rule");
        }
        for (int i = 0; i < items.size(); i++) {
            String path = "auth.rules[" + i + "]";
            Node item = items.get(i);
            if (!(item instanceof MappingNode)) {
                if (YamlSection.isNull(item)) {
                    problems.add(item, path, "expected a rule, e.g. { user: \"*\", method: passthrough }");
                } else {
                    YamlSection.of(item, path, problems);
                }
                continue;
            }
            AuthRule rule = rule(YamlSection.of(item, path, problems), backends);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return new AuthConfig(rules);
    }

    private AuthRule rule(YamlSection rule, Map<String, BackendConfig> backends) {
        String database = rule.text("database", "*");
        String user = rule.text("user", "*");
        List<Cidr> addresses = addresses(rule);
        boolean tls = rule.bool("tls", false);
        String method = rule.requiredText("method", "an auth method such as trust, passthrough or one a plugin provides");
        String backend = rule.text("backend", null);
        if (backend == null) {
            backend = backends.isEmpty() ? "" : backends.keySet().iterator().next();
        } else if (!backends.isEmpty() && !backends.containsKey(backend.trim())) {
            rule.problem("backend", "no backend named '" + YamlDocument.shorten(backend)
                    + "'; backends: " + String.join(", ", backends.keySet()));
        }
        AuthRule.LoginConfig login = rule.has("login") ? login(rule.section("login")) : null;
        Map<String, String> options = new LinkedHashMap<>();
        for (String key : rule.keys()) {
            if (!RULE_KEYS.contains(key)) {
                String value = rule.text(key, "");
                options.put(key, value);
            }
        }
        if (method == null) {
            return null;
        }
        return new AuthRule(rule.path(), database.trim(), user.trim(), addresses, tls, method.trim(), backend.trim(),
                login, options);
    }

    private List<Cidr> addresses(YamlSection rule) {
        List<Cidr> addresses = new ArrayList<>();
        List<Node> items = rule.list("address", true);
        boolean single = rule.value("address") instanceof ScalarNode;
        for (int i = 0; i < items.size(); i++) {
            String path = single ? rule.pathOf("address") : rule.pathOf("address") + "[" + i + "]";
            Node item = items.get(i);
            if (!(item instanceof ScalarNode scalar) || YamlSection.isNull(item)) {
                problems.add(item, path, "expected a network like 10.0.0.0/8, found " + YamlSection.describe(item));
                continue;
            }
            try {
                addresses.add(Cidr.parse(scalar.getValue()));
            } catch (IllegalArgumentException e) {
                problems.add(item, path, "expected a network like 10.0.0.0/8 or ::1/128 ("
                        + e.getMessage() + "), found '" + YamlDocument.shorten(scalar.getValue()) + "'");
            }
        }
        return addresses;
    }

    private AuthRule.LoginConfig login(YamlSection login) {
        login.allowOnly("user", "password", "database");
        String user = login.requiredText("user", "the database user the proxy logs in as");
        String password = login.text("password", null);
        String resolved = null;
        if (password != null) {
            if (!SecretResolver.isReference(password)) {
                login.problem("password", "a password must not be written in the configuration; use a reference "
                        + "such as \"${env:NAME}\" or \"${file:/path}\"");
            } else {
                try {
                    resolved = secrets.resolve(password.trim(), login.pathOf("password"));
                } catch (ConfigException e) {
                    e.problems().forEach(problem -> problems.addFormatted(login.value("password"), problem));
                }
            }
        }
        String database = login.text("database", null);
        return user == null ? null : new AuthRule.LoginConfig(user.trim(), resolved, database == null ? null : database.trim());
    }
}
