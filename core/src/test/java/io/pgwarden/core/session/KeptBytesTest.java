package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeptBytesTest {

    private static ByteBuf bytes(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void theSameBytesMatchWhereverTheyLieAndTheBufferIsLeftAlone() {
        ByteBuf source = bytes("xxSELECT 1");
        source.readerIndex(1);
        KeptBytes kept = KeptBytes.copyOf(source, 2, 8);
        assertThat(source.readerIndex()).isEqualTo(1);

        assertThat(kept.matches(bytes("SELECT 1"), 0, 8)).isTrue();
        assertThat(kept.matches(bytes("--SELECT 1--"), 2, 8)).isTrue();
    }

    @Test
    void otherBytesOrAnotherLengthDoNotMatch() {
        KeptBytes kept = KeptBytes.copyOf(bytes("SELECT 1"), 0, 8);

        assertThat(kept.matches(bytes("SELECT 2"), 0, 8)).isFalse();
        assertThat(kept.matches(bytes("SELECT 1"), 0, 7)).isFalse();
        assertThat(kept.matches(bytes("SELECT 10"), 0, 9)).isFalse();
    }

    @Test
    void aLaterChangeToTheSourceDoesNotChangeTheCopy() {
        ByteBuf source = bytes("SELECT 1");
        KeptBytes kept = KeptBytes.copyOf(source, 0, 8);
        source.setByte(7, '2');

        assertThat(kept.matches(bytes("SELECT 1"), 0, 8)).isTrue();
    }
}
