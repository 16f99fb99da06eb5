package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RelayHandlerTest {

    private EmbeddedChannel out;
    private RecordingPolicy policy;
    private EmbeddedChannel in;

    @BeforeEach
    void setUp() {
        out = new EmbeddedChannel();
        policy = new RecordingPolicy();
        in = new EmbeddedChannel(new RelayHandler(out, policy, 1024));
    }

    @AfterEach
    void tearDown() {
        assertFalse(in.finish());
        out.finishAndReleaseAll();
    }

    @Test
    void consecutiveForwardedFramesLeaveAsOneWrite() {
        ByteBuf burst = Unpooled.buffer();
        burst.writeBytes(frame('D', 10)).writeBytes(frame('D', 3)).writeBytes(frame('C', 5));
        byte[] expected = bytes(burst);
        in.writeInbound(burst);

        List<ByteBuf> writes = drain(out);
        assertThat(writes).hasSize(1);
        assertThat(bytes(writes.get(0))).isEqualTo(expected);
        writes.forEach(ByteBuf::release);
    }

    @Test
    void framesSplitAtEveryByteArriveByteIdentical() {
        byte[] stream = concat(frame('D', 7), frame('Z', 1), frame('D', 300), frame('C', 2));
        for (int split = 1; split < stream.length; split++) {
            EmbeddedChannel target = new EmbeddedChannel();
            EmbeddedChannel source = new EmbeddedChannel(new RelayHandler(target, new RecordingPolicy(), 1024));
            source.writeInbound(Unpooled.wrappedBuffer(stream, 0, split));
            source.writeInbound(Unpooled.wrappedBuffer(stream, split, stream.length - split));
            assertThat(joined(drain(target))).as("split at %d", split).isEqualTo(stream);
            assertFalse(source.finish());
            target.finishAndReleaseAll();
        }
    }

    @Test
    void forwardedFrameLargerThanTheLimitStreamsThroughInPieces() {
        byte[] huge = frame('D', 5000);
        for (int offset = 0; offset < huge.length; offset += 700) {
            in.writeInbound(Unpooled.wrappedBuffer(huge, offset, Math.min(700, huge.length - offset)));
        }
        List<ByteBuf> writes = drain(out);
        assertThat(writes.size()).isGreaterThan(1);
        assertThat(joined(writes)).isEqualTo(huge);
        assertThat(policy.violations).isEmpty();
        assertThat(policy.forwardedTypes).as("announced once, from its header").containsExactly((byte) 'D');
    }

    @Test
    void peekedFrameIsSeenWholeAndStaysInTheRun() {
        policy.peekType = 'Z';
        byte[] stream = concat(frame('D', 4), frame('Z', 1), frame('D', 4));
        in.writeInbound(Unpooled.wrappedBuffer(stream, 0, 8));
        in.writeInbound(Unpooled.wrappedBuffer(stream, 8, stream.length - 8));
        assertThat(policy.peeked).containsExactly((byte) 'Z');
        assertThat(joined(drain(out))).isEqualTo(stream);
    }

    @Test
    void inspectedFrameIsHandedOverAloneBetweenRuns() {
        policy.inspectType = 'T';
        byte[] stream = concat(frame('D', 4), frame('T', 9), frame('D', 4));
        in.writeInbound(Unpooled.wrappedBuffer(stream));
        List<ByteBuf> writes = drain(out);
        assertThat(writes).hasSize(3);
        assertThat(policy.inspected).containsExactly((byte) 'T');
        assertThat(joined(writes)).isEqualTo(stream);
    }

    @Test
    void pausedRelayReadsNothingUntilResumed() {
        policy.inspectType = 'Q';
        policy.pause = true;
        byte[] stream = concat(frame('Q', 6), frame('S', 0));
        in.writeInbound(Unpooled.wrappedBuffer(stream));
        assertThat(in.config().isAutoRead()).isFalse();
        List<ByteBuf> beforeResume = drain(out);
        assertThat(beforeResume).isEmpty();

        policy.pause = false;
        RelayHandler relay = in.pipeline().get(RelayHandler.class);
        relay.write(policy.held);
        relay.resume();
        assertThat(in.config().isAutoRead()).isTrue();
        assertThat(joined(drain(out))).isEqualTo(stream);
    }

    @Test
    void lengthBelowFourIsAViolation() {
        in.writeInbound(Unpooled.wrappedBuffer(new byte[] {'Q', 0, 0, 0, 3, 0}));
        assertThat(policy.violations).singleElement().asString().contains("invalid message length 3");
        assertThat(drain(out)).isEmpty();
    }

    @Test
    void inspectedFrameOverTheLimitIsAViolationBeforeBuffering() {
        policy.inspectType = 'Q';
        ByteBuf header = Unpooled.buffer().writeByte('Q').writeInt(Integer.MAX_VALUE);
        in.writeInbound(header);
        assertThat(policy.violations).singleElement().asString().contains("over the limit of 1024");
    }

    @Test
    void otherSideNotWritableStopsReadingUntilItDrains() {
        HoldFlush hold = new HoldFlush();
        EmbeddedChannel target = new EmbeddedChannel(hold);
        target.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(8, 16));
        EmbeddedChannel source = new EmbeddedChannel(new RelayHandler(target, new RecordingPolicy(), 1024));
        source.writeInbound(Unpooled.wrappedBuffer(frame('D', 64)));
        assertThat(target.isWritable()).isFalse();
        assertThat(source.config().isAutoRead()).isFalse();

        hold.holding = false;
        target.flush();
        assertThat(target.isWritable()).isTrue();
        source.pipeline().get(RelayHandler.class).updateAutoRead();
        assertThat(source.config().isAutoRead()).isTrue();
        assertFalse(source.finish());
        target.finishAndReleaseAll();
    }

    /** Keeps written bytes pending, as a socket that cannot take more would. */
    private static final class HoldFlush extends io.netty.channel.ChannelOutboundHandlerAdapter {
        boolean holding = true;

        @Override
        public void flush(io.netty.channel.ChannelHandlerContext ctx) {
            if (!holding) {
                ctx.flush();
            }
        }
    }

    private static byte[] frame(char type, int bodyLength) {
        byte[] frame = new byte[5 + bodyLength];
        frame[0] = (byte) type;
        int length = bodyLength + 4;
        frame[1] = (byte) (length >>> 24);
        frame[2] = (byte) (length >>> 16);
        frame[3] = (byte) (length >>> 8);
        frame[4] = (byte) length;
        for (int i = 5; i < frame.length; i++) {
            frame[i] = (byte) (i * 31);
        }
        return frame;
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuf all = Unpooled.buffer();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return bytes(all);
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        return bytes;
    }

    private static List<ByteBuf> drain(EmbeddedChannel channel) {
        List<ByteBuf> writes = new ArrayList<>();
        ByteBuf next;
        while ((next = channel.readOutbound()) != null) {
            writes.add(next);
        }
        return writes;
    }

    private static byte[] joined(List<ByteBuf> writes) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf write : writes) {
            all.writeBytes(write);
            write.release();
        }
        return bytes(all);
    }

    /** Records what the relay shows it; forwards inspected frames unchanged. */
    private static final class RecordingPolicy implements FramePolicy {
        byte peekType;
        byte inspectType;
        boolean pause;
        ByteBuf held;
        final List<Byte> peeked = new ArrayList<>();
        final List<Byte> forwardedTypes = new ArrayList<>();
        final List<Byte> inspected = new ArrayList<>();
        final List<String> violations = new ArrayList<>();

        @Override
        public int classify(byte type) {
            if (type == inspectType) {
                return INSPECT;
            }
            return type == peekType ? PEEK : FORWARD;
        }

        @Override
        public void forwarded(byte type) {
            forwardedTypes.add(type);
        }

        @Override
        public void peek(byte type, ByteBuf frame) {
            peeked.add(type);
        }

        @Override
        public boolean handle(byte type, ByteBuf frame, RelayHandler relay) {
            inspected.add(type);
            if (pause) {
                held = frame;
                return false;
            }
            relay.write(frame);
            return true;
        }

        @Override
        public void violation(String message) {
            violations.add(message);
        }
    }
}
