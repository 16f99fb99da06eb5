package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code claims.role} setting: one claim (a name or dotted path), or a template with
 * {@code {claim}} placeholders and literal text, such as {@code "{given_name}.{family_name}"}.
 */
final class ClaimTemplate {

    private final String text;
    private final List<Object> parts;

    private ClaimTemplate(String text, List<Object> parts) {
        this.text = text;
        this.parts = parts;
    }

    /**
     * Parses the setting.
     *
     * @param text the setting's text
     * @param yamlPath its YAML path, for errors
     * @return the template
     * @throws PluginConfigException when a brace is unmatched or a placeholder is empty or nested
     */
    static ClaimTemplate parse(String text, String yamlPath) {
        String trimmed = text.trim();
        if (trimmed.indexOf('{') < 0 && trimmed.indexOf('}') < 0) {
            return new ClaimTemplate(trimmed, List.of(ClaimPath.parse(trimmed, yamlPath)));
        }
        List<Object> parts = new ArrayList<>();
        int position = 0;
        while (position < trimmed.length()) {
            int open = trimmed.indexOf('{', position);
            int close = trimmed.indexOf('}', position);
            if (close >= 0 && (open < 0 || close < open)) {
                throw new PluginConfigException(yamlPath, "has a '}' without its '{' in the template '" + trimmed + "'");
            }
            if (open < 0) {
                parts.add(trimmed.substring(position));
                break;
            }
            if (open > position) {
                parts.add(trimmed.substring(position, open));
            }
            if (close < 0) {
                throw new PluginConfigException(yamlPath, "has a '{' without its '}' in the template '" + trimmed + "'");
            }
            String name = trimmed.substring(open + 1, close);
            if (name.indexOf('{') >= 0) {
                throw new PluginConfigException(yamlPath, "has a '{' inside a placeholder in the template '" + trimmed + "'");
            }
            if (name.isBlank()) {
                throw new PluginConfigException(yamlPath, "has an empty placeholder {} in the template '" + trimmed + "'");
            }
            parts.add(ClaimPath.parse(name, yamlPath));
            position = close + 1;
        }
        return new ClaimTemplate(trimmed, List.copyOf(parts));
    }

    /**
     * The text for a token's claims.
     *
     * @param claims the claims
     * @return the text
     * @throws LoginRefusedException when a claim is missing or not a single value
     */
    String render(Map<String, Object> claims) throws LoginRefusedException {
        StringBuilder result = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof ClaimPath path) {
                Object value = path.resolve(claims);
                if (value == null) {
                    throw new LoginRefusedException("the token has no " + path + " claim");
                }
                String rendered = ClaimPath.scalarText(value);
                if (rendered == null) {
                    throw new LoginRefusedException("the token's " + path + " claim is not a single value");
                }
                result.append(rendered);
            } else {
                result.append((String) part);
            }
        }
        return result.toString();
    }

    @Override
    public String toString() {
        return parts.size() == 1 && parts.get(0) instanceof ClaimPath path ? path + " claim" : "role template \"" + text + "\"";
    }
}
