package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Makes the person visible to the backend on every attach: {@code application_name} from the
 * {@code application_name} template, and (with {@code identity_settings}) the custom settings
 * {@code pgwarden.user}, {@code pgwarden.subject} and {@code pgwarden.groups} that row-level security
 * policies read with {@code current_setting('pgwarden.user', true)}.
 */
final class IdentityPropagation {

    static final String DEFAULT_APPLICATION_NAME = "pgwarden:{role}";

    private static final Map<String, Function<PersonIdentity, String>> PLACEHOLDERS = Map.of(
            "role", PersonIdentity::role,
            "subject", PersonIdentity::subject,
            "display", PersonIdentity::displayName);

    private final List<Object> applicationName;
    private final boolean identitySettings;

    private IdentityPropagation(List<Object> applicationName, boolean identitySettings) {
        this.applicationName = applicationName;
        this.identitySettings = identitySettings;
    }

    /**
     * Reads {@code application_name} and {@code identity_settings} of the plugin's section.
     *
     * @param pluginSection the plugin's section ({@code plugins[i]})
     * @return the propagation
     * @throws PluginConfigException naming the YAML path when the template has an unknown or
     *     unclosed placeholder or {@code identity_settings} is not a boolean
     */
    static IdentityPropagation fromConfig(PluginConfig pluginSection) {
        Objects.requireNonNull(pluginSection, "pluginSection");
        String template = pluginSection.string("application_name", DEFAULT_APPLICATION_NAME);
        return new IdentityPropagation(parse(template, pluginSection.pathOf("application_name")),
                pluginSection.bool("identity_settings", true));
    }

    /** Literal texts and placeholder names (as {@link Placeholder}) in order; empty for "". */
    private static List<Object> parse(String template, String path) {
        String placeholders = "; placeholders are {role}, {subject} and {display}";
        List<Object> parts = ClaimTemplate.split(template, path, placeholders, name -> {
            if (!PLACEHOLDERS.containsKey(name)) {
                throw new PluginConfigException(path, "has the unknown placeholder {" + name + "}" + placeholders);
            }
            return new Placeholder(name);
        });
        if (ClaimMapping.hasControlCharacter(template)) {
            throw new PluginConfigException(path, "has a control character");
        }
        return parts;
    }

    private record Placeholder(String name) {
    }

    /**
     * Adds the person's application_name and identity settings to a login.
     *
     * @param login the strategy's login
     * @param person the person
     * @return the login with {@code application_name} set (unless the template is "", which keeps
     *     the client's) and the {@code SET pgwarden.*} statements appended to its session init
     * @throws LoginRefusedException when a value to propagate holds a control character, or a
     *     group name holds a comma (the separator of {@code pgwarden.groups})
     */
    BackendLogin apply(BackendLogin login, PersonIdentity person) throws LoginRefusedException {
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(person, "person");
        BackendLogin result = login;
        if (!applicationName.isEmpty()) {
            Map<String, String> parameters = new HashMap<>(login.parameters());
            parameters.put("application_name", render(person));
            result = result.withParameters(parameters);
        }
        if (identitySettings) {
            List<String> statements = new ArrayList<>(login.sessionInit());
            // "user" is a reserved word: unquoted, SET pgwarden.user is a syntax error.
            statements.add("SET pgwarden.\"user\" = " + literal("role", person.role()));
            statements.add("SET pgwarden.subject = " + literal("subject", person.subject()));
            statements.add("SET pgwarden.groups = " + literal("groups", groups(person.groups())));
            result = result.withSessionInit(statements);
        }
        return result;
    }

    private String render(PersonIdentity person) throws LoginRefusedException {
        StringBuilder text = new StringBuilder();
        for (Object part : applicationName) {
            if (part instanceof Placeholder placeholder) {
                String value = PLACEHOLDERS.get(placeholder.name()).apply(person);
                refuseControlCharacters(placeholder.name(), value);
                text.append(value);
            } else {
                text.append((String) part);
            }
        }
        return text.toString();
    }

    private static String groups(Set<String> groups) throws LoginRefusedException {
        for (String group : groups) {
            if (group.indexOf(',') >= 0) {
                // A group "x,admins" would read as membership of admins to a policy that splits on commas.
                throw new LoginRefusedException("the group \"" + printable(group) + "\" has a comma, which pgwarden.groups "
                        + "uses to separate groups");
            }
        }
        return String.join(",", groups.stream().sorted().toList());
    }

    /**
     * An escape string constant {@code E'...'}: backslash and quote escaped, and every character
     * outside printable ASCII written as a Unicode escape, so the statement means the same whatever
     * {@code standard_conforming_strings} and the session's {@code client_encoding} are (a multi-byte
     * client encoding such as SJIS cannot swallow a backslash).
     */
    static String literal(String what, String value) throws LoginRefusedException {
        refuseControlCharacters(what, value);
        StringBuilder literal = new StringBuilder(value.length() + 3).append("E'");
        value.codePoints().forEach(codePoint -> {
            if (codePoint == '\\') {
                literal.append("\\\\");
            } else if (codePoint == '\'') {
                literal.append("''");
            } else if (codePoint >= 0x20 && codePoint < 0x7F) {
                literal.append((char) codePoint);
            } else if (codePoint <= 0xFFFF) {
                literal.append(String.format("\\u%04X", codePoint));
            } else {
                literal.append(String.format("\\U%08X", codePoint));
            }
        });
        return literal.append('\'').toString();
    }

    private static void refuseControlCharacters(String what, String value) throws LoginRefusedException {
        if (ClaimMapping.hasControlCharacter(value)) {
            throw new LoginRefusedException("the " + what + " from the token has a control character");
        }
        if (value.codePoints().anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
            throw new LoginRefusedException("the " + what + " from the token has an unpaired UTF-16 surrogate");
        }
    }

    private static String printable(String text) {
        return text.codePoints().allMatch(c -> c >= 0x20 && c != 0x7F) ? text : "?";
    }

    @Override
    public String toString() {
        return "IdentityPropagation[application_name=" + applicationName + ", identity_settings=" + identitySettings + "]";
    }
}
