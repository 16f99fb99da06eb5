package io.pgwarden.core.protocol;

import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StartupPacketDecoderTest {

    private static final int MAX = 10000;

    private static final byte[] SSL_REQUEST = wire().int32(8).int32(80877103).toArray();
    private static final byte[] STARTUP = wire().int32(4 + 4 + 5 + 6 + 1)
            .int32(196608).string("user").string("alice").int8(0).toArray();

    @Test
    void decodesPacketsSplitAtEveryByteBoundary() {
        byte[] stream = concat(SSL_REQUEST, STARTUP);
        for (int split = 0; split <= stream.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new StartupPacketDecoder(MAX));
            List<String> packets = new ArrayList<>();
            channel.writeInbound(CodecAssertions.copy(Arrays.copyOfRange(stream, 0, split)));
            drainInto(channel, packets);
            channel.writeInbound(CodecAssertions.copy(Arrays.copyOfRange(stream, split, stream.length)));
            drainInto(channel, packets);
            // singleDecode: a read that holds both packets yields the second on the next read only.
            channel.writeInbound(CodecAssertions.copy(new byte[0]));
            drainInto(channel, packets);
            assertThat(packets).as("split at %d", split).containsExactly(
                    ByteBufUtil.hexDump(SSL_REQUEST, 4, 4),
                    ByteBufUtil.hexDump(STARTUP, 4, STARTUP.length - 4));
            assertFalse(channel.finish());
        }
    }

    @Test
    void decodesPacketFedOneByteAtATime() {
        EmbeddedChannel channel = new EmbeddedChannel(new StartupPacketDecoder(MAX));
        List<String> packets = new ArrayList<>();
        for (byte b : STARTUP) {
            channel.writeInbound(CodecAssertions.copy(new byte[] {b}));
            drainInto(channel, packets);
        }
        assertThat(packets).containsExactly(ByteBufUtil.hexDump(STARTUP, 4, STARTUP.length - 4));
        assertFalse(channel.finish());
    }

    @Test
    void exposesBytesPipelinedAfterSslRequest() {
        StartupPacketDecoder decoder = new StartupPacketDecoder(MAX);
        List<Boolean> bufferedWhenSslRequestArrived = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                bufferedWhenSslRequestArrived.add(decoder.hasBufferedInput());
                ((ByteBuf) msg).release();
            }
        });
        channel.writeInbound(CodecAssertions.copy(concat(SSL_REQUEST, new byte[] {'Q'})));
        assertThat(bufferedWhenSslRequestArrived).containsExactly(true);
        assertThat(decoder.hasBufferedInput()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void reportsNoBufferedBytesAfterACleanSslRequest() {
        StartupPacketDecoder decoder = new StartupPacketDecoder(MAX);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.writeInbound(CodecAssertions.copy(SSL_REQUEST));
        ByteBuf body = channel.readInbound();
        body.release();
        assertThat(decoder.hasBufferedInput()).isFalse();
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 7, -1, MAX + 1, 0x7FFFFFFF})
    void rejectsLyingLengthBeforeBufferingTheBody(int length) {
        EmbeddedChannel channel = new EmbeddedChannel(new StartupPacketDecoder(MAX));
        ByteBuf lengthOnly = CodecAssertions.copy(wire().int32(length).toArray());
        assertThatThrownBy(() -> channel.writeInbound(lengthOnly))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("invalid length of startup packet");
        channel.writeInbound(CodecAssertions.copy(SSL_REQUEST));
        assertThat((Object) channel.readInbound()).isNull();
        assertFalse(channel.finish());
    }

    private static void drainInto(EmbeddedChannel channel, List<String> packets) {
        ByteBuf body;
        while ((body = channel.readInbound()) != null) {
            packets.add(ByteBufUtil.hexDump(body));
            body.release();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
