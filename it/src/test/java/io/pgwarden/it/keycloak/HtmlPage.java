package io.pgwarden.it.keycloak;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of Keycloak's login theme, read as far as a test at a browser needs: which page it is ({@code data-page-id}
 * on the body), its title, its forms with their fields and buttons, the messages it shows and its visible text.
 *
 * <p>A small tokenizer, not a full HTML parser: start tags with quoted, unquoted or bare attributes (a {@code >} inside a
 * quoted value does not end the tag), end tags, comments, and the raw text of {@code script} and {@code style}, which
 * is skipped. Character references are decoded in attribute values and text.
 */
final class HtmlPage {

    private final URI uri;
    private final List<Token> tokens;

    private HtmlPage(URI uri, List<Token> tokens) {
        this.uri = uri;
        this.tokens = tokens;
    }

    /** Reads the page that {@code uri} answered with {@code html}; relative form actions resolve against {@code uri}. */
    static HtmlPage parse(URI uri, String html) {
        return new HtmlPage(Objects.requireNonNull(uri, "uri"), tokenize(Objects.requireNonNull(html, "html")));
    }

    /** Where the page came from. */
    URI uri() {
        return uri;
    }

    /** Keycloak's name of the page ({@code login-login}, {@code login-info}, ...), empty when the body has none. */
    String pageId() {
        return tokens.stream()
                .filter(token -> token instanceof StartTag tag && tag.name().equals("body"))
                .map(token -> ((StartTag) token).attributes().getOrDefault("data-page-id", ""))
                .findFirst()
                .orElse("");
    }

    /** The text of the element with id {@code kc-page-title}, else of {@code <title>}. */
    String title() {
        String pageTitle = textOfElement("id", "kc-page-title");
        return pageTitle.isEmpty() ? textOfTag("title") : pageTitle;
    }

    /** The messages the page shows: Keycloak's feedback alerts and the field errors ({@code input-error...}). */
    String messages() {
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) instanceof StartTag tag && isMessage(tag)) {
                String text = textFrom(i);
                if (!text.isEmpty() && !messages.contains(text)) {
                    messages.add(text);
                }
            }
        }
        return String.join(" ", messages);
    }

    /** The visible text of {@code <main>} (or the whole page without one), whitespace collapsed. */
    String text() {
        int start = 0;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) instanceof StartTag tag && tag.name().equals("main")) {
                start = i;
                break;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = start; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (token instanceof EndTag end && end.name().equals("main")) {
                break;
            }
            if (token instanceof Text t) {
                text.append(t.text()).append(' ');
            }
        }
        return collapse(text.toString());
    }

    /** The form with this {@code id} attribute, if the page has one. */
    Optional<HtmlForm> form(String id) {
        return forms().stream().filter(form -> form.id().equals(id)).findFirst();
    }

    /** The forms of the page in document order. */
    List<HtmlForm> forms() {
        List<HtmlForm> forms = new ArrayList<>();
        FormBuilder current = null;
        for (Token token : tokens) {
            if (token instanceof StartTag tag) {
                switch (tag.name()) {
                    case "form" -> current = new FormBuilder(tag.attributes(), uri);
                    case "input" -> {
                        if (current != null) {
                            current.input(tag.attributes());
                        }
                    }
                    case "button" -> {
                        if (current != null) {
                            current.button(tag.attributes());
                        }
                    }
                    default -> { }
                }
            } else if (token instanceof EndTag end && end.name().equals("form") && current != null) {
                forms.add(current.build());
                current = null;
            }
        }
        if (current != null) {
            forms.add(current.build());
        }
        return forms;
    }

    /** A short description for failure messages: page id, title and what it says. */
    String describe() {
        String messages = messages();
        return "page '" + pageId() + "' (" + title() + ") at " + uri + ": " + (messages.isEmpty() ? text() : messages);
    }

    private static boolean isMessage(StartTag tag) {
        String id = tag.attributes().getOrDefault("id", "");
        String classes = " " + tag.attributes().getOrDefault("class", "") + " ";
        return id.startsWith("input-error") && !id.startsWith("input-error-container") || classes.contains(" kc-feedback-text ");
    }

    private String textOfElement(String attribute, String value) {
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) instanceof StartTag tag && value.equals(tag.attributes().get(attribute))) {
                return textFrom(i);
            }
        }
        return "";
    }

    private String textOfTag(String name) {
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) instanceof StartTag tag && tag.name().equals(name)) {
                return textFrom(i);
            }
        }
        return "";
    }

    /** The text inside the element that starts at token {@code start}, up to its end tag (elements of its name nest). */
    private String textFrom(int start) {
        String name = ((StartTag) tokens.get(start)).name();
        int depth = 0;
        StringBuilder text = new StringBuilder();
        for (int i = start; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (token instanceof StartTag tag && tag.name().equals(name) && !tag.selfClosing()) {
                depth++;
            } else if (token instanceof EndTag end && end.name().equals(name) && --depth == 0) {
                break;
            } else if (token instanceof Text t) {
                text.append(t.text()).append(' ');
            }
        }
        return collapse(text.toString());
    }

    private static String collapse(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    private static List<Token> tokenize(String html) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int length = html.length();
        while (i < length) {
            int lt = html.indexOf('<', i);
            if (lt < 0) {
                tokens.add(new Text(CharacterReferences.decode(html.substring(i))));
                break;
            }
            if (lt > i) {
                tokens.add(new Text(CharacterReferences.decode(html.substring(i, lt))));
            }
            if (html.startsWith("<!--", lt)) {
                int end = html.indexOf("-->", lt + 4);
                i = end < 0 ? length : end + 3;
            } else if (html.startsWith("</", lt)) {
                int end = html.indexOf('>', lt);
                end = end < 0 ? length : end;
                tokens.add(new EndTag(html.substring(lt + 2, end).strip().toLowerCase(Locale.ROOT)));
                i = end + 1;
            } else if (lt + 1 < length && Character.isLetter(html.charAt(lt + 1))) {
                i = startTag(html, lt, tokens);
            } else if (html.startsWith("<!", lt) || html.startsWith("<?", lt)) {
                int end = html.indexOf('>', lt);
                i = end < 0 ? length : end + 1;
            } else {
                tokens.add(new Text("<"));
                i = lt + 1;
            }
        }
        return tokens;
    }

    /** Reads the start tag at {@code lt}; returns the index after it (and after a script's or style's raw text). */
    private static int startTag(String html, int lt, List<Token> tokens) {
        int length = html.length();
        int i = lt + 1;
        int nameStart = i;
        while (i < length && !Character.isWhitespace(html.charAt(i)) && html.charAt(i) != '>' && html.charAt(i) != '/') {
            i++;
        }
        String name = html.substring(nameStart, i).toLowerCase(Locale.ROOT);
        Map<String, String> attributes = new LinkedHashMap<>();
        boolean selfClosing = false;
        while (i < length) {
            char c = html.charAt(i);
            if (c == '>') {
                i++;
                break;
            }
            if (c == '/' || Character.isWhitespace(c)) {
                selfClosing = c == '/';
                i++;
                continue;
            }
            int attributeStart = i;
            while (i < length && "=>/".indexOf(html.charAt(i)) < 0 && !Character.isWhitespace(html.charAt(i))) {
                i++;
            }
            String attribute = html.substring(attributeStart, i).toLowerCase(Locale.ROOT);
            while (i < length && Character.isWhitespace(html.charAt(i))) {
                i++;
            }
            String value = "";
            if (i < length && html.charAt(i) == '=') {
                i++;
                while (i < length && Character.isWhitespace(html.charAt(i))) {
                    i++;
                }
                if (i < length && (html.charAt(i) == '"' || html.charAt(i) == '\'')) {
                    char quote = html.charAt(i);
                    int end = html.indexOf(quote, i + 1);
                    end = end < 0 ? length : end;
                    value = html.substring(i + 1, end);
                    i = Math.min(length, end + 1);
                } else {
                    int valueStart = i;
                    while (i < length && html.charAt(i) != '>' && !Character.isWhitespace(html.charAt(i))) {
                        i++;
                    }
                    value = html.substring(valueStart, i);
                }
            }
            attributes.putIfAbsent(attribute, CharacterReferences.decode(value));
            selfClosing = false;
        }
        tokens.add(new StartTag(name, attributes, selfClosing));
        if (name.equals("script") || name.equals("style")) {
            int close = html.toLowerCase(Locale.ROOT).indexOf("</" + name, i);
            return close < 0 ? length : close;
        }
        return i;
    }

    private sealed interface Token permits StartTag, EndTag, Text { }

    private record StartTag(String name, Map<String, String> attributes, boolean selfClosing) implements Token { }

    private record EndTag(String name) implements Token { }

    private record Text(String text) implements Token { }

    /** Collects one form's action, method, fields and buttons while its tokens go by. */
    private static final class FormBuilder {
        private final String id;
        private final URI action;
        private final String method;
        private final Map<String, String> fields = new LinkedHashMap<>();
        private final Map<String, String> buttons = new LinkedHashMap<>();

        FormBuilder(Map<String, String> attributes, URI page) {
            this.id = attributes.getOrDefault("id", "");
            String action = attributes.getOrDefault("action", "");
            this.action = action.isEmpty() ? page : page.resolve(action);
            this.method = attributes.getOrDefault("method", "get").toUpperCase(Locale.ROOT);
        }

        void input(Map<String, String> attributes) {
            String name = attributes.get("name");
            if (name == null || name.isEmpty()) {
                return;
            }
            String type = attributes.getOrDefault("type", "text").toLowerCase(Locale.ROOT);
            String value = attributes.getOrDefault("value", "");
            switch (type) {
                case "submit" -> buttons.putIfAbsent(name, value);
                case "checkbox", "radio" -> {
                    if (attributes.containsKey("checked")) {
                        fields.putIfAbsent(name, value.isEmpty() ? "on" : value);
                    }
                }
                case "button", "reset", "image", "file" -> { }
                default -> fields.putIfAbsent(name, value);
            }
        }

        void button(Map<String, String> attributes) {
            String name = attributes.get("name");
            String type = attributes.getOrDefault("type", "submit").toLowerCase(Locale.ROOT);
            if (name != null && !name.isEmpty() && type.equals("submit")) {
                buttons.putIfAbsent(name, attributes.getOrDefault("value", ""));
            }
        }

        HtmlForm build() {
            return new HtmlForm(id, action, method, fields, buttons);
        }
    }
}
