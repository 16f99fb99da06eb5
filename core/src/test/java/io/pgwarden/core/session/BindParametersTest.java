package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.protocol.frontend.Bind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindParametersTest {

    private static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void noFormatCodesMeansEveryValueIsTextAndNullStaysNull() {
        Bind bind = new Bind("", "s1", List.of(), Arrays.asList(text("42"), null, text("grüße")), List.of());
        assertThat(BindParameters.decode(bind)).containsExactly("42", null, "grüße");
    }

    @Test
    void oneBinaryFormatCodeAppliesToEveryValueAsLowercaseHex() {
        Bind bind = new Bind("", "", List.of((short) 1), Arrays.asList(new byte[] {0, 0, 0, 42}, new byte[] {(byte) 0xAB, 0x0F}),
                List.of());
        assertThat(BindParameters.decode(bind)).containsExactly("\\x0000002a", "\\xab0f");
    }

    @Test
    void perValueFormatCodesMixTextAndBinary() {
        Bind bind = new Bind("p", "", List.of((short) 0, (short) 1, (short) 1),
                Arrays.asList(text("x"), new byte[0], null), List.of());
        assertThat(BindParameters.decode(bind)).containsExactly("x", "\\x", null);
    }

    @Test
    void decodedValuesCannotBeChangedByAPlugin() {
        Bind bind = new Bind("", "", List.of(), List.of(text("a")), List.of());
        List<String> values = BindParameters.decode(bind);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> values.set(0, "b"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
