package io.pgwarden.it.keycloak;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A form of an {@link HtmlPage}: where it goes, how, the fields it would submit as the page shows them (hidden ones
 * included) and its named submit buttons with their values.
 *
 * @param id the form's {@code id} attribute, empty without one
 * @param action the absolute URI it submits to (the page's own without an action)
 * @param method {@code GET} or {@code POST}, upper case
 * @param fields field names to values, in document order
 * @param buttons names of the submit buttons to their values
 */
record HtmlForm(String id, URI action, String method, Map<String, String> fields, Map<String, String> buttons) {

    /** Copies the maps, so a form stays as it was read. */
    HtmlForm {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(method, "method");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        buttons = Collections.unmodifiableMap(new LinkedHashMap<>(buttons));
    }

    /** The {@code application/x-www-form-urlencoded} body of submitting with these values filled in and this button. */
    String body(Map<String, String> filledIn, String button) {
        if (!buttons.containsKey(button)) {
            throw new IllegalStateException("form '" + id + "' at " + action + " has no button '" + button + "', only " + buttons.keySet());
        }
        for (String name : filledIn.keySet()) {
            if (!fields.containsKey(name)) {
                throw new IllegalStateException("form '" + id + "' at " + action + " has no field '" + name + "', only " + fields.keySet());
            }
        }
        Map<String, String> values = new LinkedHashMap<>(fields);
        values.putAll(filledIn);
        values.put(button, buttons.get(button));
        return values.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
