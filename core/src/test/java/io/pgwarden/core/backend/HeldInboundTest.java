package io.pgwarden.core.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgwarden.core.protocol.Frame;
import org.junit.jupiter.api.Test;

class HeldInboundTest {

    @Test
    void framesAndBytesAreHandedOnInArrivalOrderOnTheFirstRead() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(HeldInbound.NAME, new HeldInbound());
        channel.writeInbound(new Frame((byte) 'N', Unpooled.wrappedBuffer(new byte[] {'x', 0, 0})));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'Z', 0}));
        assertThat(channel.<Object>readInbound()).isNull();

        channel.read();
        ByteBuf handedOn = channel.readInbound();
        assertThat(ByteBufUtil.getBytes(handedOn)).containsExactly('N', 0, 0, 0, 7, 'x', 0, 0, 'Z', 0);
        handedOn.release();
        assertThat(channel.pipeline().get(HeldInbound.NAME)).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void heldBytesAreReleasedWhenTheChannelClosesUnread() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(HeldInbound.NAME, new HeldInbound());
        ByteBuf bytes = Unpooled.buffer().writeBytes(new byte[] {'Z', 0, 0, 0, 5, 'I'});
        channel.writeInbound(bytes);
        channel.close();
        assertThat(bytes.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void withNothingHeldTheReadJustRemovesIt() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(HeldInbound.NAME, new HeldInbound());
        channel.read();
        assertThat(channel.pipeline().names()).doesNotContain(HeldInbound.NAME);
        assertThat(channel.finish()).isFalse();
    }
}
