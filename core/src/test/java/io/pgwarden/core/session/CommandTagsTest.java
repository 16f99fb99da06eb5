package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgwarden.core.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandTagsTest {

    private final CommandTags tags = new CommandTags();

    private static ByteBuf body(String bytes) {
        return Unpooled.wrappedBuffer(bytes.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRepeatedTagIsTheSameStringAndADifferentOneIsDecoded() {
        String first = tags.tag(body("SELECT 1\0"));
        assertThat(first).isEqualTo("SELECT 1");
        assertThat(tags.tag(body("SELECT 1\0"))).isSameAs(first);
        assertThat(tags.tag(body("SELECT 2\0"))).isEqualTo("SELECT 2");
        assertThat(tags.tag(body("SELECT 2\0"))).isEqualTo("SELECT 2");
        assertThat(tags.tag(body("SELECT 1\0"))).isEqualTo("SELECT 1");
    }

    @Test
    void theReaderIndexStaysWhereItWas() {
        ByteBuf body = body("xxINSERT 0 1\0");
        body.readerIndex(2);
        assertThat(tags.tag(body)).isEqualTo("INSERT 0 1");
        assertThat(body.readerIndex()).isEqualTo(2);
        assertThat(tags.tag(body)).isEqualTo("INSERT 0 1");
        assertThat(body.readerIndex()).isEqualTo(2);
    }

    @Test
    void aMalformedBodyIsRefusedAlsoAfterAGoodOne() {
        tags.tag(body("SELECT 1\0"));
        assertThatThrownBy(() -> tags.tag(body("SELECT 1"))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> tags.tag(body("SELECT 1\0\0"))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> tags.tag(body("SELECT 1\0x"))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void aLongTagIsDecodedEachTime() {
        String tag = "X".repeat(CommandTags.MAX_KEPT);
        String first = tags.tag(body(tag + "\0"));
        String second = tags.tag(body(tag + "\0"));
        assertThat(second).isEqualTo(tag).isEqualTo(first).isNotSameAs(first);
    }
}
