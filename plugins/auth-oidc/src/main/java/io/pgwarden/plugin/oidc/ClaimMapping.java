package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One issuer's {@code claims} section: which claims give the database role, the stable subject,
 * the groups and the display name, and how a verified token becomes a {@link PersonIdentity}.
 */
final class ClaimMapping {

    /** PostgreSQL's NAMEDATALEN - 1: a longer role name would be truncated by the server. */
    static final int MAX_ROLE_BYTES = 63;

    private static final List<String> KEYS = List.of("role", "subject", "groups", "display", "role_case");

    private final ClaimTemplate role;
    private final ClaimPath subject;
    private final ClaimPath groups;
    private final ClaimPath display;
    private final boolean lowerCaseRole;

    private ClaimMapping(ClaimTemplate role, ClaimPath subject, ClaimPath groups, ClaimPath display, boolean lowerCaseRole) {
        this.role = role;
        this.subject = subject;
        this.groups = groups;
        this.display = display;
        this.lowerCaseRole = lowerCaseRole;
    }

    /**
     * Reads an issuer's {@code claims} section; absent keys take their defaults
     * ({@code preferred_username}, {@code sub}, {@code groups}, {@code email}, {@code as-is}).
     *
     * @param claimsSection the section, empty when the issuer has none
     * @return the mapping
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static ClaimMapping fromConfig(PluginConfig claimsSection) {
        Objects.requireNonNull(claimsSection, "claimsSection");
        for (String key : claimsSection.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(claimsSection.pathOf(key),
                        "unknown setting; claims knows role, subject, groups, display and role_case");
            }
        }
        ClaimTemplate role = ClaimTemplate.parse(claimsSection.string("role", "preferred_username"), claimsSection.pathOf("role"));
        ClaimPath subject = ClaimPath.parse(claimsSection.string("subject", "sub"), claimsSection.pathOf("subject"));
        ClaimPath groups = ClaimPath.parse(claimsSection.string("groups", "groups"), claimsSection.pathOf("groups"));
        ClaimPath display = ClaimPath.parse(claimsSection.string("display", "email"), claimsSection.pathOf("display"));
        String roleCase = claimsSection.string("role_case", "as-is").trim();
        boolean lower = switch (roleCase) {
            case "lower" -> true;
            case "as-is" -> false;
            default -> throw new PluginConfigException(claimsSection.pathOf("role_case"),
                    "expected lower or as-is, found '" + roleCase + "'");
        };
        return new ClaimMapping(role, subject, groups, display, lower);
    }

    /**
     * Maps a verified token to the person it names.
     *
     * @param token the token
     * @return the person
     * @throws LoginRefusedException when the role or subject claim is missing or unusable, or the
     *     groups claim is neither a list of texts nor a text; the message is safe to show
     */
    PersonIdentity map(VerifiedToken token) throws LoginRefusedException {
        Objects.requireNonNull(token, "token");
        String roleName = role.render(token.claims());
        if (lowerCaseRole) {
            roleName = roleName.toLowerCase(Locale.ROOT);
        }
        checkRole(roleName);
        String subjectText = requiredText(subject, token);
        String displayText = ClaimPath.scalarText(display.resolve(token.claims()));
        if (displayText == null || displayText.isBlank()) {
            displayText = roleName;
        }
        return new PersonIdentity(roleName, subjectText, displayText, groups(token), token.issuer(), token.expiresAt(),
                token.claims());
    }

    private void checkRole(String roleName) throws LoginRefusedException {
        if (roleName.isEmpty()) {
            throw new LoginRefusedException("the token's " + role + " gives an empty role name");
        }
        int bytes = roleName.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_ROLE_BYTES) {
            throw new LoginRefusedException("the role name from the token's " + role + " has " + bytes
                    + " bytes; PostgreSQL allows at most " + MAX_ROLE_BYTES);
        }
        if (hasControlCharacter(roleName)) {
            throw new LoginRefusedException("the role name from the token's " + role + " has a control character");
        }
    }

    private static String requiredText(ClaimPath path, VerifiedToken token) throws LoginRefusedException {
        Object value = path.resolve(token.claims());
        if (value == null) {
            throw new LoginRefusedException("the token has no " + path + " claim");
        }
        String text = ClaimPath.scalarText(value);
        if (text == null) {
            throw new LoginRefusedException("the token's " + path + " claim is not a single value");
        }
        if (text.isEmpty()) {
            throw new LoginRefusedException("the token's " + path + " claim is empty");
        }
        return text;
    }

    private Set<String> groups(VerifiedToken token) throws LoginRefusedException {
        Object value = groups.resolve(token.claims());
        if (value == null) {
            return Set.of();
        }
        String single = ClaimPath.scalarText(value);
        if (single != null) {
            return single.isEmpty() ? Set.of() : Set.of(single);
        }
        if (!(value instanceof Collection<?> items)) {
            throw new LoginRefusedException("the token's " + groups + " claim is neither a list of groups nor a group");
        }
        Set<String> result = new LinkedHashSet<>();
        for (Object item : items) {
            String text = ClaimPath.scalarText(item);
            if (text == null) {
                throw new LoginRefusedException("the token's " + groups + " claim holds an item that is not a group name");
            }
            if (!text.isEmpty()) {
                result.add(text);
            }
        }
        return result;
    }

    /**
     * Whether text has a character PostgreSQL identifiers and settings should never carry: C0 and
     * C1 control characters, including NUL, tab and line breaks.
     */
    static boolean hasControlCharacter(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }

    @Override
    public String toString() {
        return "ClaimMapping[role=" + role + ", subject=" + subject + ", groups=" + groups + ", display=" + display
                + ", role_case=" + (lowerCaseRole ? "lower" : "as-is") + "]";
    }
}
