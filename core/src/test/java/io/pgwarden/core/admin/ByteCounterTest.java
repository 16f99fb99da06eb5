package io.pgwarden.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** One counter shared by many channels sums what each reads and writes, and passes everything on untouched. */
class ByteCounterTest {

    private final ByteCounter counter = new ByteCounter();

    @Test
    void sumsTheReadsAndWritesOfEveryChannelSharingIt() {
        EmbeddedChannel first = new EmbeddedChannel(counter);
        EmbeddedChannel second = new EmbeddedChannel(counter);

        first.writeInbound(Unpooled.wrappedBuffer(new byte[5]));
        first.writeInbound(Unpooled.wrappedBuffer(new byte[1000]));
        second.writeInbound(Unpooled.wrappedBuffer(new byte[20]));
        second.writeOutbound(Unpooled.wrappedBuffer(new byte[300]));

        assertThat(counter.received()).isEqualTo(1025);
        assertThat(counter.sent()).isEqualTo(300);
        ByteBuf passed = first.readInbound();
        assertThat(passed.readableBytes()).isEqualTo(5);
        passed.release();
        finish(first);
        finish(second);
    }

    @Test
    void countsTheContentOfAHolderAndNothingForOtherMessages() {
        EmbeddedChannel channel = new EmbeddedChannel(counter);

        channel.writeInbound(new DefaultByteBufHolder(Unpooled.wrappedBuffer(new byte[12])));
        channel.writeInbound("not bytes");
        channel.writeOutbound(Unpooled.EMPTY_BUFFER);

        assertThat(counter.received()).isEqualTo(12);
        assertThat(counter.sent()).isZero();
        assertThat(channel.<Object>readInbound()).isInstanceOf(DefaultByteBufHolder.class).satisfies(held -> ((DefaultByteBufHolder) held).release());
        assertThat(channel.<Object>readInbound()).isEqualTo("not bytes");
        finish(channel);
    }

    private static void finish(EmbeddedChannel channel) {
        channel.releaseInbound();
        channel.releaseOutbound();
        assertThat(channel.finish()).isFalse();
    }
}
