package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
        return new ClaimTemplate(trimmed, split(trimmed, yamlPath, " in the template '" + trimmed + "'", name -> {
            if (name.indexOf('{') >= 0) {
                throw new PluginConfigException(yamlPath, "has a '{' inside a placeholder in the template '" + trimmed + "'");
            }
            if (name.isBlank()) {
                throw new PluginConfigException(yamlPath, "has an empty placeholder {} in the template '" + trimmed + "'");
            }
            return ClaimPath.parse(name, yamlPath);
        }));
    }

    /**
     * Splits a template into its literal texts and its {@code {placeholders}}, in order; this one's
     * and {@link IdentityPropagation}'s {@code application_name}.
     *
     * @param template the template
     * @param yamlPath its YAML path, for errors
     * @param context appended to the message of an unmatched brace
     * @param placeholder turns a placeholder's name into its part, or throws
     *     {@link PluginConfigException} when the name is not one
     * @return the literal texts (as strings) and the placeholders' parts; empty for ""
     * @throws PluginConfigException when a brace is unmatched or a name is refused
     */
    static List<Object> split(String template, String yamlPath, String context, Function<String, Object> placeholder) {
        List<Object> parts = new ArrayList<>();
        int position = 0;
        while (position < template.length()) {
            int open = template.indexOf('{', position);
            int close = template.indexOf('}', position);
            if (close >= 0 && (open < 0 || close < open)) {
                throw new PluginConfigException(yamlPath, "has a '}' without its '{'" + context);
            }
            if (open < 0) {
                parts.add(template.substring(position));
                break;
            }
            if (open > position) {
                parts.add(template.substring(position, open));
            }
            if (close < 0) {
                throw new PluginConfigException(yamlPath, "has a '{' without its '}'" + context);
            }
            parts.add(placeholder.apply(template.substring(open + 1, close)));
            position = close + 1;
        }
        return List.copyOf(parts);
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
