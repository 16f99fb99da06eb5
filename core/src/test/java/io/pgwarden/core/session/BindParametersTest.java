package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.core.protocol.frontend.Bind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BindParametersTest {

    private static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a Bind's body as PortalSources does, from the bytes the encoder writes after the type and length. */
    private static BindParameters read(Consumer<ByteBuf> encoder) {
        ByteBuf frame = Unpooled.buffer();
        try {
            encoder.accept(frame);
            ByteBuf payload = frame.slice(5, frame.readableBytes() - 5);
            BindParameters read = BindParameters.read(payload);
            assertThat(payload.isReadable()).as("read to its end").isFalse();
            return read;
        } finally {
            frame.release();
        }
    }

    private static BindParameters read(Bind bind) {
        return read(bind::encode);
    }

    @Test
    void namesAndCountComeFromTheMessage() {
        BindParameters bind = read(new Bind("C_1", "S_2", List.of(), Arrays.asList(text("a"), null), List.of((short) 1)));

        assertThat(bind.portal()).isEqualTo("C_1");
        assertThat(bind.statement()).isEqualTo("S_2");
        assertThat(bind.count()).isEqualTo(2);
        assertThat(bind.isNull(0)).isFalse();
        assertThat(bind.isNull(1)).isTrue();
        assertThatThrownBy(() -> bind.isNull(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> bind.isNull(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void noFormatCodesMeansEveryValueIsTextAndNullStaysNull() {
        BindParameters bind = read(new Bind("", "s1", List.of(), Arrays.asList(text("42"), null, text("grüße")), List.of()));
        assertThat(bind.decode()).containsExactly("42", null, "grüße");
    }

    @Test
    void oneBinaryFormatCodeAppliesToEveryValueAsLowercaseHex() {
        BindParameters bind = read(new Bind("", "", List.of((short) 1),
                Arrays.asList(new byte[] {0, 0, 0, 42}, new byte[] {(byte) 0xAB, 0x0F}), List.of()));
        assertThat(bind.decode()).containsExactly("\\x0000002a", "\\xab0f");
    }

    @Test
    void perValueFormatCodesMixTextAndBinary() {
        BindParameters bind = read(new Bind("p", "", List.of((short) 0, (short) 1, (short) 1),
                Arrays.asList(text("x"), new byte[0], null), List.of()));
        assertThat(bind.decode()).containsExactly("x", "\\x", null);
    }

    @Test
    void aFormatCodeOtherThanOneIsText() {
        BindParameters bind = read(new Bind("", "", List.of((short) 257), List.of(text("y")), List.of()));
        assertThat(bind.decode()).containsExactly("y");
    }

    @Test
    void decodedValuesCannotBeChangedByAPlugin() {
        List<String> values = read(new Bind("", "", List.of(), List.of(text("a")), List.of())).decode();
        assertThatThrownBy(() -> values.set(0, "b")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theValuesOutliveTheNetworkBuffer() {
        ByteBuf frame = Unpooled.buffer();
        new Bind("", "", List.of(), List.of(text("kept")), List.of()).encode(frame);
        BindParameters bind = BindParameters.read(frame.slice(5, frame.readableBytes() - 5));
        frame.setZero(0, frame.capacity());
        frame.release();

        assertThat(bind.decode()).containsExactly("kept");
    }

    /**
     * Malformed bodies, each after the names {@code "\0\0"}: a truncated format list, a value longer than the rest,
     * a negative length other than -1, a missing result format count, and a trailing byte.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0001", "00000001", "0000000100000009616263", "00000001fffffffe0000",
            "00000001ffffffff", "000000000000ff"})
    void aMalformedBindIsRefusedAsBindDecodeRefusesIt(String hex) {
        byte[] body = new byte[2 + hex.length() / 2];
        for (int i = 0; i < hex.length() / 2; i++) {
            body[2 + i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        assertThatThrownBy(() -> Bind.decode(Unpooled.wrappedBuffer(body))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> BindParameters.read(Unpooled.wrappedBuffer(body)))
                .isInstanceOf(ProtocolException.class).hasMessageStartingWith("invalid Bind message");
    }

    @Test
    void aBindWithoutTerminatedNamesIsRefused() {
        assertThatThrownBy(() -> BindParameters.read(Unpooled.wrappedBuffer(new byte[] {'p'})))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("string without terminator");
    }
}
