package io.pgwarden.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Checks every message codec the same way: exact bytes of encode, decode of those bytes back to an
 * equal value, and malformed bodies refused with {@link ProtocolException} only.
 */
public final class CodecAssertions {

    /** Typed messages: type byte and Int32 length. */
    public static final int TYPED_HEADER = 5;
    /** Startup packets: Int32 length only. */
    public static final int STARTUP_HEADER = 4;

    private CodecAssertions() {
    }

    /**
     * For a message whose end can be found without the length: exact encoding, round trip, every
     * truncation of the body and one trailing byte rejected.
     */
    public static <T> void assertMessage(T message, BiConsumer<T, ByteBuf> encoder,
            Function<ByteBuf, ?> decoder, byte[] expectedFrame) {
        assertMessage(message, encoder, decoder, expectedFrame, TYPED_HEADER);
    }

    /** As {@link #assertMessage(Object, BiConsumer, Function, byte[])} with a given header size. */
    public static <T> void assertMessage(T message, BiConsumer<T, ByteBuf> encoder,
            Function<ByteBuf, ?> decoder, byte[] expectedFrame, int headerSize) {
        assertEncodes(message, encoder, expectedFrame);
        byte[] payload = payloadOf(expectedFrame, headerSize);
        assertDecodes(payload, decoder, message);
        assertEveryTruncationRejected(payload, decoder);
        assertTrailingByteRejected(payload, decoder);
    }

    /**
     * For a message that ends with data of any length (CopyData, SASLResponse...): exact encoding,
     * round trip, and truncations either decode or fail with {@link ProtocolException}.
     */
    public static <T> void assertOpenEndedMessage(T message, BiConsumer<T, ByteBuf> encoder,
            Function<ByteBuf, ?> decoder, byte[] expectedFrame, int headerSize) {
        assertEncodes(message, encoder, expectedFrame);
        byte[] payload = payloadOf(expectedFrame, headerSize);
        assertDecodes(payload, decoder, message);
        for (int length = 0; length < payload.length; length++) {
            decodeOrProtocolException(Arrays.copyOf(payload, length), decoder);
        }
    }

    public static <T> void assertEncodes(T message, BiConsumer<T, ByteBuf> encoder, byte[] expected) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            out.writeByte(0x7e); // encode appends: bytes already in the buffer stay untouched
            encoder.accept(message, out);
            assertThat(out.readByte()).isEqualTo((byte) 0x7e);
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo(ByteBufUtil.hexDump(expected));
        } finally {
            out.release();
        }
    }

    public static void assertDecodes(byte[] payload, Function<ByteBuf, ?> decoder, Object expected) {
        ByteBuf in = copy(payload);
        try {
            Object decoded = decoder.apply(in);
            assertThat(decoded).isEqualTo(expected);
            assertThat(decoded.hashCode()).isEqualTo(expected.hashCode());
            assertThat(in.isReadable()).as("payload fully read").isFalse();
        } finally {
            in.release();
        }
    }

    public static void assertEveryTruncationRejected(byte[] payload, Function<ByteBuf, ?> decoder) {
        for (int length = 0; length < payload.length; length++) {
            byte[] truncated = Arrays.copyOf(payload, length);
            assertThat(decodeFailure(truncated, decoder))
                    .as("payload truncated to %d of %d bytes", length, payload.length)
                    .isInstanceOf(ProtocolException.class);
        }
    }

    public static void assertTrailingByteRejected(byte[] payload, Function<ByteBuf, ?> decoder) {
        byte[] longer = Arrays.copyOf(payload, payload.length + 1);
        longer[payload.length] = 'x';
        assertThat(decodeFailure(longer, decoder)).as("trailing byte").isInstanceOf(ProtocolException.class);
    }

    /** Decodes and returns what was thrown (null if nothing); the input is released. */
    public static Throwable decodeFailure(byte[] payload, Function<ByteBuf, ?> decoder) {
        ByteBuf in = copy(payload);
        try {
            return catchThrowable(() -> decoder.apply(in));
        } finally {
            in.release();
        }
    }

    /** The {@link ProtocolException} that decoding {@code payload} must throw. */
    public static ProtocolException decodeRejects(byte[] payload, Function<ByteBuf, ?> decoder) {
        Throwable failure = decodeFailure(payload, decoder);
        assertThat(failure).isInstanceOf(ProtocolException.class);
        assertThat(((ProtocolException) failure).sqlState()).isNotBlank();
        return (ProtocolException) failure;
    }

    /** Decoding may succeed or throw {@link ProtocolException}; anything else fails the test. */
    public static void decodeOrProtocolException(byte[] payload, Function<ByteBuf, ?> decoder) {
        Throwable failure = decodeFailure(payload, decoder);
        if (failure != null) {
            assertThat(failure).isInstanceOf(ProtocolException.class);
        }
    }

    public static byte[] payloadOf(byte[] frame, int headerSize) {
        return Arrays.copyOfRange(frame, headerSize, frame.length);
    }

    /** A pooled (hence leak-tracked) buffer holding {@code bytes}. */
    public static ByteBuf copy(byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(bytes.length);
        buf.writeBytes(bytes);
        return buf;
    }

    /** Fails unless {@code action} throws IllegalArgumentException. */
    public static void assertIllegalArgument(Runnable action) {
        assertThatThrownBy(action::run).isInstanceOf(IllegalArgumentException.class);
    }
}
