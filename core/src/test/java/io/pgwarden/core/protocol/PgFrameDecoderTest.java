package io.pgwarden.core.protocol;

import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgFrameDecoderTest {

    private static final int MAX = 1024;

    /** Query "select 1", Sync, a DataRow with one NULL and "ab", Terminate. */
    private static final byte[] STREAM = wire()
            .type('Q').int32(13).string("select 1")
            .type('S').int32(4)
            .type('D').int32(4 + 2 + 4 + 4 + 2).int16(2).int32(-1).int32(2).text("ab")
            .type('X').int32(4)
            .toArray();

    private static final List<String> EXPECTED = List.of(
            "Q:" + ByteBufUtil.hexDump(wire().string("select 1").toArray()),
            "S:",
            "D:" + ByteBufUtil.hexDump(wire().int16(2).int32(-1).int32(2).text("ab").toArray()),
            "X:");

    @Test
    void decodesFramesSplitAtEveryByteBoundary() {
        for (int split = 0; split <= STREAM.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));
            channel.writeInbound(CodecAssertions.copy(Arrays.copyOfRange(STREAM, 0, split)));
            channel.writeInbound(CodecAssertions.copy(Arrays.copyOfRange(STREAM, split, STREAM.length)));
            assertThat(drain(channel)).as("split at %d", split).isEqualTo(EXPECTED);
            assertFalse(channel.finish());
        }
    }

    @Test
    void aLoweredLimitRefusesALongerFrameAtItsHeaderAndARaisedOneAcceptsIt() {
        PgFrameDecoder decoder = new PgFrameDecoder(MAX);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        decoder.maxMessageSize(12);
        channel.writeInbound(CodecAssertions.copy(wire().type('p').int32(12).text("abcdefgh").toArray()));
        assertThat(drain(channel)).hasSize(1);

        decoder.maxMessageSize(MAX);
        channel.writeInbound(CodecAssertions.copy(wire().type('p').int32(13).text("abcdefghi").toArray()));
        assertThat(drain(channel)).hasSize(1);

        decoder.maxMessageSize(12);
        assertThatThrownBy(() -> channel.writeInbound(CodecAssertions.copy(wire().type('p').int32(13).toArray())))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("invalid message length 13 for message type 'p' (allowed 4 to 12)");
        assertThat(decoder.maxMessageSize()).isEqualTo(12);
        assertThatThrownBy(() -> decoder.maxMessageSize(3)).isInstanceOf(IllegalArgumentException.class);
        assertFalse(channel.finish());
    }

    @Test
    void decodesFramesFedOneByteAtATime() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));
        for (byte b : STREAM) {
            channel.writeInbound(CodecAssertions.copy(new byte[] {b}));
        }
        assertThat(drain(channel)).isEqualTo(EXPECTED);
        assertFalse(channel.finish());
    }

    @Test
    void decodesAllFramesOfOneRead() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));
        channel.writeInbound(CodecAssertions.copy(STREAM));
        assertThat(drain(channel)).isEqualTo(EXPECTED);
        assertFalse(channel.finish());
    }

    @Test
    void acceptsTheMaximumLength() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(8));
        channel.writeInbound(CodecAssertions.copy(wire().type('d').int32(8).int32(42).toArray()));
        Frame frame = channel.readInbound();
        assertThat(frame.type()).isEqualTo((byte) 'd');
        assertThat(frame.payload().readInt()).isEqualTo(42);
        frame.release();
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, -1, MAX + 1, 0x7FFFFFFF, 0x80000000})
    void rejectsLyingLengthFromTheHeaderAlone(int length) {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));
        // Only the 5-byte header: the decoder must refuse without waiting for a body.
        ByteBuf header = CodecAssertions.copy(wire().type('Q').int32(length).toArray());
        assertThatThrownBy(() -> channel.writeInbound(header))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("invalid message length")
                .satisfies(e -> assertThat(((ProtocolException) e).sqlState()).isEqualTo("08P01"));
        assertThat(header.refCnt()).isZero();
        // The stream cannot be re-synchronized: later bytes, even a valid frame, are discarded.
        channel.writeInbound(CodecAssertions.copy(wire().type('S').int32(4).toArray()));
        assertThat((Object) channel.readInbound()).isNull();
        assertFalse(channel.finish());
    }

    @Test
    void refusesMaximumBelowFour() {
        assertThatThrownBy(() -> new PgFrameDecoder(3)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> drain(EmbeddedChannel channel) {
        List<String> frames = new ArrayList<>();
        Frame frame;
        while ((frame = channel.readInbound()) != null) {
            try {
                frames.add((char) frame.type() + ":" + ByteBufUtil.hexDump(frame.payload()));
            } finally {
                frame.release();
            }
        }
        return frames;
    }
}
