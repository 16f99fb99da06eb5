package io.pgwarden.plugin.scram;

/**
 * A cursor over one SCRAM message ({@code attr=value,attr=value,...}). Every mismatch throws the
 * protocol violation {@link ScramServerExchange#malformed}; nothing of the message is repeated in
 * it beyond the offending character, so a proof never reaches a log.
 */
final class MessageReader {

    private final String text;
    private int position;

    MessageReader(String text) {
        this.text = text;
    }

    boolean atEnd() {
        return position >= text.length();
    }

    /** The next character without consuming it, or {@code 0} at the end. */
    char peek() {
        return atEnd() ? 0 : text.charAt(position);
    }

    /** Consumes the next character. */
    char next() {
        if (atEnd()) {
            throw ScramServerExchange.malformed("Unexpected end of message.");
        }
        return text.charAt(position++);
    }

    /** Consumes the expected character. */
    void expect(char expected) {
        if (atEnd()) {
            throw ScramServerExchange.malformed("Unexpected end of message; expected \"" + expected + "\".");
        }
        char found = text.charAt(position);
        if (found != expected) {
            throw ScramServerExchange.malformed("Expected \"" + expected + "\" at position " + position + ", found "
                    + describe(found) + ".");
        }
        position++;
    }

    /** Consumes up to the next comma or the end, without the comma. */
    String valueUntilComma() {
        int comma = text.indexOf(',', position);
        int end = comma < 0 ? text.length() : comma;
        String value = text.substring(position, end);
        position = end;
        return value;
    }

    /**
     * Consumes {@code name=value}.
     *
     * @param name the attribute's letter
     * @return the value, up to the next comma
     */
    String attribute(char name) {
        if (atEnd()) {
            throw ScramServerExchange.malformed("Attribute \"" + name + "\" expected, found the end of the message.");
        }
        char found = text.charAt(position);
        if (found != name) {
            throw ScramServerExchange.malformed("Attribute \"" + name + "\" expected, found " + describe(found) + ".");
        }
        position++;
        expect('=');
        return valueUntilComma();
    }

    /** Consumes an extension attribute: a letter, {@code =}, a value. */
    void anyAttribute() {
        char name = peek();
        if (!(name >= 'a' && name <= 'z' || name >= 'A' && name <= 'Z')) {
            throw ScramServerExchange.malformed("Attribute expected, found " + describe(name) + ".");
        }
        attribute(name);
    }

    /** The text before the cursor. */
    String consumed() {
        return text.substring(0, position);
    }

    /** The text from the cursor on. */
    String rest() {
        return text.substring(position);
    }

    private static String describe(char c) {
        if (c == 0) {
            return "the end of the message";
        }
        return c >= 0x21 && c < 0x7F ? "\"" + c + "\"" : String.format("character 0x%02x", (int) c);
    }
}
