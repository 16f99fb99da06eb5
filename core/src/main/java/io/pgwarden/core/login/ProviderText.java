package io.pgwarden.core.login;

/**
 * Text from the identity provider or the browser (error codes and descriptions, user codes, the issuer a discovery
 * document names) made fit for a terminal line: control characters, which could move the cursor or recolour the
 * terminal, are dropped, white space is collapsed, and a long text (an HTML page) is cut.
 */
final class ProviderText {

    /** An HTML page or a long error is not shown whole. */
    static final int MAX_CHARS = 200;

    private ProviderText() {
    }

    /**
     * The text as it may be printed.
     *
     * @param text the provider's text, or null
     * @return one line of at most {@value #MAX_CHARS} characters and an ellipsis
     */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder line = new StringBuilder(Math.min(text.length(), MAX_CHARS + 3));
        boolean space = false;
        for (int i = 0; i < text.length() && line.length() < MAX_CHARS; i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                space = line.length() > 0;
            } else if (!Character.isISOControl(c) && Character.getType(c) != Character.FORMAT) {
                if (space) {
                    line.append(' ');
                    space = false;
                }
                line.append(c);
            }
        }
        return line.length() >= MAX_CHARS ? line + "..." : line.toString();
    }
}
