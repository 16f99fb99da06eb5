package io.pgwarden.core.protocol;

import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PgBuffersTest {

    @Test
    void readsCStringAndItsTerminator() {
        ByteBuf buf = Unpooled.wrappedBuffer(wire().string("héllo").string("").int8(7).toArray());
        assertThat(PgBuffers.readCString(buf)).isEqualTo("héllo");
        assertThat(PgBuffers.readCString(buf)).isEmpty();
        assertThat(buf.readByte()).isEqualTo((byte) 7);
        buf.release();
    }

    @Test
    void cStringWithoutTerminatorIsAProtocolViolation() {
        ByteBuf buf = Unpooled.wrappedBuffer(wire().text("abc").toArray());
        assertThatThrownBy(() -> PgBuffers.readCString(buf, "Query"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("invalid Query message: string without terminator")
                .extracting(e -> ((ProtocolException) e).sqlState()).isEqualTo("08P01");
        assertThat(buf.readerIndex()).isZero();
        buf.release();
    }

    @Test
    void writesCStringAsUtf8WithTerminator() {
        ByteBuf buf = Unpooled.buffer();
        PgBuffers.writeCString(buf, "é");
        assertThat(ByteBufUtil.getBytes(buf)).containsExactly(0xc3, 0xa9, 0);
        assertThatThrownBy(() -> PgBuffers.writeCString(buf, "a\0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countsAreCheckedAgainstRemainingBytesBeforeAnyAllocation() {
        ByteBuf buf = Unpooled.wrappedBuffer(wire().int16(3).int32(1).int32(2).toArray());
        assertThatThrownBy(() -> PgBuffers.readCount16(buf, 4, "ParameterDescription"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("count 3 exceeds the 8 remaining bytes");
        ByteBuf negative = Unpooled.wrappedBuffer(wire().int32(-5).toArray());
        assertThatThrownBy(() -> PgBuffers.readCount32(negative, 1, "NegotiateProtocolVersion"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("negative count");
        assertThatThrownBy(() -> PgBuffers.readBytes(Unpooled.EMPTY_BUFFER, Integer.MAX_VALUE, "CopyData"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("truncated");
    }

    @Test
    void int16CountsAreUnsigned() {
        ByteBuf buf = Unpooled.wrappedBuffer(wire().int16(0xffff).bytes(new byte[0xffff]).toArray());
        assertThat(PgBuffers.readCount16(buf, 1, "Bind")).isEqualTo(65535);
        ByteBuf out = Unpooled.buffer();
        assertThatThrownBy(() -> PgBuffers.writeCount16(out, 65536)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lengthPlaceholderIsPatchedWithTheBytesWrittenSince() {
        ByteBuf out = Unpooled.buffer();
        out.writeByte(1);
        int lengthIndex = PgBuffers.beginMessage(out, (byte) 'Q');
        out.writeBytes(new byte[] {'a', 0});
        PgBuffers.endMessage(out, lengthIndex);
        assertThat(ByteBufUtil.getBytes(out)).containsExactly(1, 'Q', 0, 0, 0, 6, 'a', 0);
    }
}
