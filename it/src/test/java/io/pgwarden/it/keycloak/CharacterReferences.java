package io.pgwarden.it.keycloak;

import java.util.Map;

/** Decodes HTML character references: the named ones Keycloak's theme uses, and every numeric one. */
final class CharacterReferences {

    private static final Map<String, String> NAMED = Map.of(
            "amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos", "'", "nbsp", " ");

    private CharacterReferences() {
    }

    /** {@code text} with each reference replaced; an unknown or malformed one stays as written. */
    static String decode(String text) {
        int amp = text.indexOf('&');
        if (amp < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (amp >= 0) {
            out.append(text, i, amp);
            int semicolon = text.indexOf(';', amp);
            String replacement = semicolon < 0 || semicolon - amp > 10 ? null : reference(text.substring(amp + 1, semicolon));
            if (replacement == null) {
                out.append('&');
                i = amp + 1;
            } else {
                out.append(replacement);
                i = semicolon + 1;
            }
            amp = text.indexOf('&', i);
        }
        return out.append(text, i, text.length()).toString();
    }

    private static String reference(String name) {
        if (name.startsWith("#")) {
            try {
                boolean hex = name.startsWith("#x") || name.startsWith("#X");
                int codePoint = Integer.parseInt(name.substring(hex ? 2 : 1), hex ? 16 : 10);
                return Character.isValidCodePoint(codePoint) && codePoint != 0 ? Character.toString(codePoint) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return NAMED.get(name);
    }
}
