package io.pgwarden.core.session;

import io.pgwarden.core.protocol.frontend.Bind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The values of a Bind as {@link io.pgwarden.spi.ExecuteContext#parameters()} gives them: text-format
 * values as UTF-8 text, binary-format values as {@code \x} and lowercase hex, SQL NULL as null.
 */
final class BindParameters {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private BindParameters() {
    }

    /**
     * Decodes every value of the Bind.
     *
     * @param bind the Bind
     * @return the values in order; read-only, with nulls for SQL NULL
     */
    static List<String> decode(Bind bind) {
        List<byte[]> values = bind.parameters();
        List<Short> formats = bind.parameterFormats();
        List<String> decoded = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            byte[] value = values.get(i);
            decoded.add(value == null ? null : binary(formats, i) ? hex(value) : new String(value, StandardCharsets.UTF_8));
        }
        return Collections.unmodifiableList(decoded);
    }

    /** Bind's format codes: none means all text, one applies to all, else one per parameter. */
    private static boolean binary(List<Short> formats, int index) {
        if (formats.isEmpty()) {
            return false;
        }
        short format = formats.size() == 1 ? formats.get(0) : index < formats.size() ? formats.get(index) : 0;
        return format == 1;
    }

    private static String hex(byte[] value) {
        char[] text = new char[2 + 2 * value.length];
        text[0] = '\\';
        text[1] = 'x';
        for (int i = 0; i < value.length; i++) {
            text[2 + 2 * i] = HEX[(value[i] >> 4) & 0xF];
            text[3 + 2 * i] = HEX[value[i] & 0xF];
        }
        return new String(text);
    }
}
