package io.pgwarden.core.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgwarden.core.config.ClientTlsConfig;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.frontend.CancelRequest;
import io.pgwarden.core.protocol.frontend.StartupMessage;
import io.pgwarden.spi.TlsInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandshakeHandlerTest {

    private final RecordingAcceptor acceptor = new RecordingAcceptor();
    private EmbeddedChannel channel;

    @AfterEach
    void tearDown() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel open(ClientTls tls) {
        channel = new EmbeddedChannel(new HandshakeHandler(tls, acceptor, 10_000));
        return channel;
    }

    private static ClientTls noTls() throws Exception {
        return ClientTls.create(ClientTlsConfig.disabled());
    }

    @Test
    void sslRequestWithoutTlsIsAnsweredNAndStartupFollows() throws Exception {
        open(noTls());
        channel.writeInbound(packet(80877103, new byte[0]));
        assertThat(readByte()).isEqualTo((byte) 'N');
        channel.writeInbound(startup(196608, Map.of("user", "alice", "database", "app")));
        assertThat(acceptor.started).singleElement().satisfies(s -> assertThat(s.parameters()).containsEntry("user", "alice"));
        assertThat(channel.pipeline().get(HandshakeHandler.class)).isNull();
    }

    @Test
    void gssencRequestIsAnsweredN() throws Exception {
        open(noTls());
        channel.writeInbound(packet(80877104, new byte[0]));
        assertThat(readByte()).isEqualTo((byte) 'N');
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void bytesAfterSslRequestAreRefused() throws Exception {
        open(noTls());
        ByteBuf both = Unpooled.buffer().writeBytes(packet(80877103, new byte[0])).writeBytes(startup(196608, Map.of("user", "x")));
        channel.writeInbound(both);
        assertFatal("08P01", "received unencrypted data after SSL request");
        assertThat(acceptor.left).isEqualTo(1);
    }

    @Test
    void startupLengthOutsideLimitsIsRefusedBeforeBuffering() throws Exception {
        open(noTls());
        channel.writeInbound(Unpooled.buffer().writeInt(10_001));
        assertFatal("08P01", "invalid length of startup packet");

        channel = new EmbeddedChannel(new HandshakeHandler(noTls(), acceptor, 10_000));
        channel.writeInbound(Unpooled.buffer().writeInt(4));
        assertFatal("08P01", "invalid length of startup packet");
    }

    @Test
    void truncatedStartupPacketWaitsForTheRest() throws Exception {
        open(noTls());
        ByteBuf whole = startup(196608, Map.of("user", "bob"));
        channel.writeInbound(whole.readRetainedSlice(7));
        assertThat(acceptor.started).isEmpty();
        assertThat(channel.isActive()).isTrue();
        channel.writeInbound(whole);
        assertThat(acceptor.started).hasSize(1);
    }

    @Test
    void sslRequestAndStartupSplitAtEveryByteGiveTheSameSession() throws Exception {
        ByteBuf whole = Unpooled.buffer().writeBytes(packet(80877103, new byte[0]));
        int sslEnd = whole.readableBytes();
        ByteBuf startup = startup(196608, Map.of("user", "alice", "database", "app"));
        whole.writeBytes(startup);
        startup.release();
        byte[] bytes = new byte[whole.readableBytes()];
        whole.readBytes(bytes).release();
        for (int split = 1; split < bytes.length; split++) {
            RecordingAcceptor recording = new RecordingAcceptor();
            EmbeddedChannel ch = new EmbeddedChannel(new HandshakeHandler(noTls(), recording, 10_000));
            if (split <= sslEnd) {
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
                if (split < sslEnd) {
                    ch.writeInbound(Unpooled.wrappedBuffer(bytes, split, sslEnd - split));
                }
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, sslEnd, bytes.length - sslEnd));
            } else {
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, sslEnd));
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, sslEnd, split - sslEnd));
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
            }
            ByteBuf answer = ch.readOutbound();
            assertThat(answer.readByte()).as("split at %d", split).isEqualTo((byte) 'N');
            answer.release();
            assertThat(recording.started).as("split at %d", split).singleElement()
                    .satisfies(s -> assertThat(s.parameters()).containsEntry("user", "alice"));
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void protocolTwoIsRefused() throws Exception {
        open(noTls());
        channel.writeInbound(startup(2 << 16, Map.of("user", "x")));
        assertFatal("0A000", "unsupported frontend protocol 2.0");
    }

    @Test
    void cancelRequestIsRoutedAndTheConnectionClosed() throws Exception {
        open(noTls());
        ByteBuf body = Unpooled.buffer().writeInt(42).writeInt(7);
        byte[] bytes = new byte[8];
        body.readBytes(bytes);
        body.release();
        channel.writeInbound(packet(80877102, bytes));
        assertThat(acceptor.cancels).singleElement().satisfies(c -> assertThat(c.processId()).isEqualTo(42));
        assertThat(channel.isActive()).isFalse();
        assertThat(acceptor.left).isEqualTo(1);
    }

    @Test
    void refusedAdmissionSendsItsReason() throws Exception {
        acceptor.refusal = new ClientAcceptor.Refusal("53300", "sorry, too many clients already");
        open(noTls());
        assertFatal("53300", "sorry, too many clients already");
    }

    @Test
    void unknownRequestCodeIsRefusedAsAnUnsupportedProtocolVersion() throws Exception {
        // PostgreSQL reads any code it does not know as a protocol version, and so does the proxy.
        open(noTls());
        channel.writeInbound(packet(1234, new byte[4]));
        assertFatal("0A000", "unsupported frontend protocol 0.1234");
    }

    private void assertFatal(String sqlState, String message) {
        ErrorResponse error = readError();
        assertThat(error.severity()).isEqualTo("FATAL");
        assertThat(error.sqlState()).isEqualTo(sqlState);
        assertThat(error.message()).contains(message);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        Object answer = channel.readOutbound();
        assertThat(answer).as("bytes after a FATAL are discarded, unanswered").isNull();
        channel.advanceTimeBy(FatalReply.LINGER_MILLIS + 1, java.util.concurrent.TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).as("closed once the linger time passed").isFalse();
    }

    private ErrorResponse readError() {
        ByteBuf out = channel.readOutbound();
        assertThat(out).as("an ErrorResponse was sent").isNotNull();
        try {
            assertThat(out.readByte()).isEqualTo((byte) 'E');
            int length = out.readInt();
            return ErrorResponse.decode(out.readSlice(length - 4));
        } finally {
            out.release();
        }
    }

    private byte readByte() {
        ByteBuf out = channel.readOutbound();
        try {
            return out.readByte();
        } finally {
            out.release();
        }
    }

    private static ByteBuf packet(int code, byte[] body) {
        return Unpooled.buffer().writeInt(8 + body.length).writeInt(code).writeBytes(body);
    }

    private static ByteBuf startup(int version, Map<String, String> parameters) {
        ByteBuf body = Unpooled.buffer();
        new LinkedHashMap<>(parameters).forEach((k, v) -> {
            body.writeCharSequence(k, java.nio.charset.StandardCharsets.UTF_8);
            body.writeByte(0);
            body.writeCharSequence(v, java.nio.charset.StandardCharsets.UTF_8);
            body.writeByte(0);
        });
        body.writeByte(0);
        ByteBuf packet = Unpooled.buffer().writeInt(8 + body.readableBytes()).writeInt(version).writeBytes(body);
        body.release();
        return packet;
    }

    private static final class RecordingAcceptor implements ClientAcceptor {
        Refusal refusal;
        int left;
        final List<CancelRequest> cancels = new ArrayList<>();
        final List<StartupMessage> started = new ArrayList<>();

        @Override
        public Refusal admit() {
            return refusal;
        }

        @Override
        public void leave() {
            left++;
        }

        @Override
        public void cancel(CancelRequest request) {
            cancels.add(request);
        }

        @Override
        public void start(Channel ch, StartupMessage startup, TlsInfo tls, byte[] channelBinding) {
            started.add(startup);
        }
    }
}
