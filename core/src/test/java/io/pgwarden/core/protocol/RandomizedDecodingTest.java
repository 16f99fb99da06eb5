package io.pgwarden.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgwarden.core.protocol.backend.Authentication;
import io.pgwarden.core.protocol.backend.BackendKeyData;
import io.pgwarden.core.protocol.backend.BindComplete;
import io.pgwarden.core.protocol.backend.CloseComplete;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.CopyBothResponse;
import io.pgwarden.core.protocol.backend.CopyData;
import io.pgwarden.core.protocol.backend.CopyDone;
import io.pgwarden.core.protocol.backend.CopyInResponse;
import io.pgwarden.core.protocol.backend.CopyOutResponse;
import io.pgwarden.core.protocol.backend.DataRow;
import io.pgwarden.core.protocol.backend.EmptyQueryResponse;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.FunctionCallResponse;
import io.pgwarden.core.protocol.backend.NegotiateProtocolVersion;
import io.pgwarden.core.protocol.backend.NoData;
import io.pgwarden.core.protocol.backend.NoticeResponse;
import io.pgwarden.core.protocol.backend.NotificationResponse;
import io.pgwarden.core.protocol.backend.ParameterDescription;
import io.pgwarden.core.protocol.backend.ParameterStatus;
import io.pgwarden.core.protocol.backend.ParseComplete;
import io.pgwarden.core.protocol.backend.PortalSuspended;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.core.protocol.backend.RowDescription;
import io.pgwarden.core.protocol.frontend.Bind;
import io.pgwarden.core.protocol.frontend.Close;
import io.pgwarden.core.protocol.frontend.CopyFail;
import io.pgwarden.core.protocol.frontend.Describe;
import io.pgwarden.core.protocol.frontend.Execute;
import io.pgwarden.core.protocol.frontend.Flush;
import io.pgwarden.core.protocol.frontend.FunctionCall;
import io.pgwarden.core.protocol.frontend.GssResponse;
import io.pgwarden.core.protocol.frontend.Parse;
import io.pgwarden.core.protocol.frontend.PasswordMessage;
import io.pgwarden.core.protocol.frontend.Query;
import io.pgwarden.core.protocol.frontend.SaslInitialResponse;
import io.pgwarden.core.protocol.frontend.SaslResponse;
import io.pgwarden.core.protocol.frontend.StartupPacket;
import io.pgwarden.core.protocol.frontend.Sync;
import io.pgwarden.core.protocol.frontend.Terminate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Random and mutated bytes: only {@link ProtocolException} may escape, and nothing leaks. */
class RandomizedDecodingTest {

    private static final long SEED = 0x5eed_2026L;
    private static final int INPUTS = 3000;

    private static final Map<String, Function<ByteBuf, ?>> DECODERS = decoders();

    @Test
    void randomBodiesOnlyEverFailWithProtocolException() {
        Random random = new Random(SEED);
        for (int i = 0; i < INPUTS; i++) {
            decodeWithEveryDecoder(randomBytes(random, random.nextInt(48)));
        }
    }

    @Test
    void mutatedValidBodiesOnlyEverFailWithProtocolException() {
        Random random = new Random(SEED + 1);
        List<byte[]> samples = validBodies();
        for (int i = 0; i < INPUTS; i++) {
            decodeWithEveryDecoder(mutate(random, samples.get(random.nextInt(samples.size()))));
        }
    }

    @Test
    void randomStreamsThroughFrameDecoderFailOnlyWithProtocolExceptionAndLeakNothing() {
        Random random = new Random(SEED + 2);
        for (int i = 0; i < INPUTS; i++) {
            feedRandomStream(random, new EmbeddedChannel(new PgFrameDecoder(64)), true);
        }
    }

    private static void feedRandomStream(Random random, EmbeddedChannel channel, boolean typed) {
        List<ByteBuf> inputs = new ArrayList<>();
        int chunks = 1 + random.nextInt(6);
        for (int c = 0; c < chunks; c++) {
            byte[] chunk = random.nextInt(3) == 0
                    ? plausibleHeader(random, typed)
                    : randomBytes(random, random.nextInt(40));
            ByteBuf input = CodecAssertions.copy(chunk);
            inputs.add(input);
            try {
                channel.writeInbound(input.retain());
            } catch (ProtocolException expected) {
                // a lying length: the decoder discards the rest of the stream
            }
            drain(channel);
        }
        try {
            // Closing decodes what is left; a bad length there is as legitimate a failure as before.
            channel.finish();
        } catch (ProtocolException expected) {
            // discarded like any other input after a lying length
        }
        drain(channel);
        assertFalse(channel.finish());
        for (ByteBuf input : inputs) {
            assertThat(input.refCnt()).isEqualTo(1);
            input.release();
        }
    }

    private static void drain(EmbeddedChannel channel) {
        Object message;
        while ((message = channel.readInbound()) != null) {
            if (message instanceof Frame frame) {
                assertThat(frame.payload().readableBytes()).isLessThanOrEqualTo(60);
            } else {
                decodeOnlyFailsWithProtocolException("StartupPacket", ((ByteBuf) message).duplicate(),
                        StartupPacket::decode);
            }
            ReferenceCountUtil.release(message);
        }
    }

    private static byte[] plausibleHeader(Random random, boolean typed) {
        WireBytes header = WireBytes.wire();
        if (typed) {
            header.type("QSDXpdcBEPRZTKCEN".charAt(random.nextInt(17)));
        }
        int[] lengths = {0, 3, 4, 5, 8, 9, 12, 64, 65, -1, Integer.MAX_VALUE};
        header.int32(lengths[random.nextInt(lengths.length)]);
        return header.bytes(randomBytes(random, random.nextInt(16))).toArray();
    }

    private static void decodeWithEveryDecoder(byte[] body) {
        ByteBuf in = CodecAssertions.copy(body);
        try {
            DECODERS.forEach((name, decoder) -> {
                in.readerIndex(0);
                decodeOnlyFailsWithProtocolException(name, in, decoder);
            });
        } finally {
            in.release();
        }
    }

    private static void decodeOnlyFailsWithProtocolException(String name, ByteBuf in, Function<ByteBuf, ?> decoder) {
        try {
            decoder.apply(in);
            assertThat(in.isReadable()).as("%s accepted a body without reading all of it", name).isFalse();
        } catch (ProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } catch (RuntimeException unexpected) {
            throw new AssertionError(name + " threw " + unexpected, unexpected);
        }
    }

    /** Small values, zeros, 0xff and ASCII letters hit counts, terminators and codes more often. */
    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = switch (random.nextInt(5)) {
                case 0 -> 0;
                case 1 -> (byte) random.nextInt(4);
                case 2 -> (byte) 0xff;
                case 3 -> (byte) ('A' + random.nextInt(58));
                default -> (byte) random.nextInt(256);
            };
        }
        return bytes;
    }

    private static byte[] mutate(Random random, byte[] sample) {
        byte[] body = Arrays.copyOf(sample, sample.length);
        switch (random.nextInt(3)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(3); flips > 0 && body.length > 0; flips--) {
                    body[random.nextInt(body.length)] = randomBytes(random, 1)[0];
                }
            }
            case 1 -> body = Arrays.copyOf(body, random.nextInt(body.length + 1));
            default -> {
                byte[] extra = randomBytes(random, 1 + random.nextInt(4));
                body = Arrays.copyOf(body, body.length + extra.length);
                System.arraycopy(extra, 0, body, sample.length, extra.length);
            }
        }
        return body;
    }

    private static List<byte[]> validBodies() {
        List<byte[]> bodies = new ArrayList<>();
        bodies.add(WireBytes.wire().int32(196608).string("user").string("u").int8(0).toArray());
        bodies.add(WireBytes.wire().int32(80877102).int32(1).int32(2).toArray());
        bodies.add(WireBytes.wire().int32(10).string("SCRAM-SHA-256").int8(0).toArray());
        bodies.add(WireBytes.wire().int32(5).int32(0x01020304).toArray());
        bodies.add(WireBytes.wire().type('S').string("ERROR").type('C').string("42000").int8(0).toArray());
        bodies.add(WireBytes.wire().int16(1).string("a").int32(0).int16(0).int32(23).int16(4).int32(-1).int16(0)
                .toArray());
        bodies.add(WireBytes.wire().int16(2).int32(-1).int32(1).text("x").toArray());
        bodies.add(WireBytes.wire().string("p").string("s").int16(1).int16(0).int16(1).int32(2).text("ab")
                .int16(1).int16(1).toArray());
        bodies.add(WireBytes.wire().string("s").string("select $1").int16(1).int32(23).toArray());
        bodies.add(WireBytes.wire().int32(1598).int16(0).int16(1).int32(-1).int16(0).toArray());
        bodies.add(WireBytes.wire().int8(0).int16(1).int16(0).toArray());
        bodies.add(WireBytes.wire().int32(3).int32(1).string("_pq_.x").toArray());
        bodies.add(WireBytes.wire().int32(7).string("chan").string("payload").toArray());
        bodies.add(WireBytes.wire().string("SCRAM-SHA-256").int32(3).text("abc").toArray());
        bodies.add(WireBytes.wire().type('S').string("name").toArray());
        bodies.add(WireBytes.wire().type('I').toArray());
        return bodies;
    }

    private static Map<String, Function<ByteBuf, ?>> decoders() {
        Map<String, Function<ByteBuf, ?>> decoders = new LinkedHashMap<>();
        decoders.put("StartupPacket", StartupPacket::decode);
        decoders.put("PasswordMessage", PasswordMessage::decode);
        decoders.put("SASLInitialResponse", SaslInitialResponse::decode);
        decoders.put("SASLResponse", SaslResponse::decode);
        decoders.put("GSSResponse", GssResponse::decode);
        decoders.put("Query", Query::decode);
        decoders.put("Terminate", Terminate::decode);
        decoders.put("Sync", Sync::decode);
        decoders.put("Flush", Flush::decode);
        decoders.put("CopyFail", CopyFail::decode);
        decoders.put("Parse", Parse::decode);
        decoders.put("Bind", Bind::decode);
        decoders.put("Describe", Describe::decode);
        decoders.put("Execute", Execute::decode);
        decoders.put("Close", Close::decode);
        decoders.put("FunctionCall", FunctionCall::decode);
        decoders.put("Authentication", Authentication::decode);
        decoders.put("ErrorResponse", ErrorResponse::decode);
        decoders.put("NoticeResponse", NoticeResponse::decode);
        decoders.put("ParameterStatus", ParameterStatus::decode);
        decoders.put("BackendKeyData", BackendKeyData::decode);
        decoders.put("ReadyForQuery", ReadyForQuery::decode);
        decoders.put("NegotiateProtocolVersion", NegotiateProtocolVersion::decode);
        decoders.put("RowDescription", RowDescription::decode);
        decoders.put("DataRow", DataRow::decode);
        decoders.put("CommandComplete", CommandComplete::decode);
        decoders.put("CopyData", CopyData::decode);
        decoders.put("CopyDone", CopyDone::decode);
        decoders.put("CopyInResponse", CopyInResponse::decode);
        decoders.put("CopyOutResponse", CopyOutResponse::decode);
        decoders.put("CopyBothResponse", CopyBothResponse::decode);
        decoders.put("BindComplete", BindComplete::decode);
        decoders.put("CloseComplete", CloseComplete::decode);
        decoders.put("ParseComplete", ParseComplete::decode);
        decoders.put("NoData", NoData::decode);
        decoders.put("EmptyQueryResponse", EmptyQueryResponse::decode);
        decoders.put("PortalSuspended", PortalSuspended::decode);
        decoders.put("FunctionCallResponse", FunctionCallResponse::decode);
        decoders.put("NotificationResponse", NotificationResponse::decode);
        decoders.put("ParameterDescription", ParameterDescription::decode);
        return decoders;
    }
}
