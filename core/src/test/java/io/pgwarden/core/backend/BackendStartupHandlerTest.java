package io.pgwarden.core.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.core.protocol.backend.AuthenticationGSS;
import io.pgwarden.core.protocol.backend.AuthenticationMD5Password;
import io.pgwarden.core.protocol.backend.AuthenticationOk;
import io.pgwarden.core.protocol.backend.AuthenticationSASLFinal;
import io.pgwarden.core.protocol.backend.BackendKeyData;
import io.pgwarden.core.protocol.backend.DataRow;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.NegotiateProtocolVersion;
import io.pgwarden.core.protocol.backend.NoticeResponse;
import io.pgwarden.core.protocol.backend.ParameterStatus;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendStartupHandlerTest {

    private static final BackendLogin LOGIN = new BackendLogin("pg", "appdb", "alice", Credential.password("secret"),
            Map.of("application_name", "app"), List.of());

    private final CompletableFuture<ServerConnection> result = new CompletableFuture<>();
    private EmbeddedChannel channel;
    private int plaintextRetries;

    @AfterEach
    void finish() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private static BackendConfig backend(BackendTlsConfig.Mode mode) {
        return new BackendConfig("pg", "localhost", 5432, new BackendTlsConfig(mode, null), Duration.ofSeconds(5));
    }

    private EmbeddedChannel start(BackendTlsConfig.Mode mode, BackendAuthResponder responder) throws Exception {
        SslContext ssl = mode == BackendTlsConfig.Mode.DISABLE ? null
                : BackendTlsContexts.build(new BackendTlsConfig(mode, null), null);
        BackendStartupHandler handler = new BackendStartupHandler(backend(mode), LOGIN, responder, ssl, 1 << 16, result,
                () -> plaintextRetries++);
        channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(BackendStartupHandler.NAME, handler);
            }
        });
        return channel;
    }

    private EmbeddedChannel start() throws Exception {
        return start(BackendTlsConfig.Mode.DISABLE, new CredentialResponder(LOGIN));
    }

    private static ByteBuf frames(Consumer<ByteBuf> writer) {
        ByteBuf out = Unpooled.buffer();
        writer.accept(out);
        return out;
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] array = new byte[buf.readableBytes()];
        buf.readBytes(array);
        buf.release();
        return array;
    }

    private BackendException failure() {
        assertThat(result).isCompletedExceptionally();
        try {
            result.join();
            throw new AssertionError("not failed");
        } catch (java.util.concurrent.CompletionException e) {
            return (BackendException) e.getCause();
        }
    }

    @Test
    void startupMessageCarriesUserAndDatabaseThenTheLoginParameters() throws Exception {
        start();
        ByteBuf expected = Unpooled.buffer();
        expected.writeInt(0).writeInt(3 << 16);
        for (String s : new String[] {"user", "alice", "database", "appdb", "application_name", "app"}) {
            expected.writeCharSequence(s, StandardCharsets.UTF_8);
            expected.writeByte(0);
        }
        expected.writeByte(0);
        expected.setInt(0, expected.readableBytes());
        assertThat(bytes(channel.readOutbound())).isEqualTo(bytes(expected));
    }

    @Test
    void completesAfterReadyForQueryAndHandsLaterBytesToTheOwnersHandlerOnRead() throws Exception {
        start();
        channel.<ByteBuf>readOutbound().release();
        ByteBuf md5 = frames(out -> new AuthenticationMD5Password(new byte[] {1, 2, 3, 4}).encode(out));
        channel.writeInbound(md5);
        ByteBuf answer = channel.readOutbound();
        assertThat(answer.getByte(0)).isEqualTo((byte) 'p');
        answer.release();

        ByteBuf notice = frames(out -> new NoticeResponse(Map.of('S', "NOTICE", 'C', "00000", 'M', "hello")).encode(out));
        byte[] noticeBytes = new byte[notice.readableBytes()];
        notice.getBytes(0, noticeBytes);
        channel.writeInbound(frames(out -> {
            AuthenticationOk.INSTANCE.encode(out);
            new ParameterStatus("server_version", "18.6").encode(out);
            new ParameterStatus("client_encoding", "UTF8").encode(out);
            new ParameterStatus("DateStyle", "ISO, MDY").encode(out);
            new BackendKeyData(4242, new byte[] {9, 8, 7, 6}).encode(out);
            new ReadyForQuery('I').encode(out);
            out.writeBytes(notice);
            out.writeBytes(new byte[] {'D', 0, 0}); // a frame cut in the middle of its header
        }));
        notice.release();

        ServerConnection connection = result.getNow(null);
        assertThat(connection).isNotNull();
        assertThat(new ArrayList<>(connection.parameters().keySet()))
                .containsExactly("server_version", "client_encoding", "DateStyle");
        assertThat(connection.keyData().processId()).isEqualTo(4242);
        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(channel.pipeline().names()).contains(HeldInbound.NAME)
                .doesNotContain(BackendStartupHandler.NAME, BackendStartupHandler.FRAMES);
        assertThat(channel.<Object>readInbound()).as("nothing leaks past the connector before the owner reads").isNull();

        List<ByteBuf> received = new ArrayList<>();
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.add((ByteBuf) msg);
            }
        });
        channel.read();
        assertThat(channel.pipeline().get(HeldInbound.NAME)).isNull();
        assertThat(received).hasSize(1);
        byte[] expected = new byte[noticeBytes.length + 3];
        System.arraycopy(noticeBytes, 0, expected, 0, noticeBytes.length);
        System.arraycopy(new byte[] {'D', 0, 0}, 0, expected, noticeBytes.length, 3);
        assertThat(bytes(received.get(0))).isEqualTo(expected);
    }

    @Test
    void withNothingAfterReadyForQueryTheFirstReadJustRemovesTheConnectorsHandler() throws Exception {
        start();
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(frames(out -> {
            AuthenticationOk.INSTANCE.encode(out);
            new ReadyForQuery('I').encode(out);
        }));
        assertThat(result.getNow(null).keyData()).isNull();
        channel.read();
        assertThat(channel.pipeline().names())
                .doesNotContain(BackendStartupHandler.NAME, BackendStartupHandler.FRAMES, HeldInbound.NAME);
    }

    @Test
    void framesArrivingWhileTheResponderWorksAreHandledAfterItAnswers() throws Exception {
        CompletableFuture<ByteBuf> pending = new CompletableFuture<>();
        start(BackendTlsConfig.Mode.DISABLE, (request, allocator) -> pending);
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(frames(out -> {
            new AuthenticationSASLFinal(new byte[] {'v', '='}).encode(out);
            AuthenticationOk.INSTANCE.encode(out);
            new ReadyForQuery('I').encode(out);
        }));
        assertThat(result).isNotDone();
        pending.complete(null);
        channel.runPendingTasks();
        assertThat(result).isCompleted();
    }

    @Test
    void negotiateProtocolVersionForUnknownOptionsIsAcceptedAndStartupGoesOn() throws Exception {
        start();
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(frames(out -> {
            new NegotiateProtocolVersion(0, List.of("_pq_.unknown")).encode(out);
            AuthenticationOk.INSTANCE.encode(out);
            new ReadyForQuery('I').encode(out);
        }));
        assertThat(result).isCompleted();
    }

    @Test
    void serverErrorIsRelayedAsIsAndTheChannelCloses() throws Exception {
        start();
        channel.writeInbound(frames(out -> ErrorResponse.fatal("53300", "sorry, too many clients already").encode(out)));
        BackendException failure = failure();
        assertThat(failure.sqlState()).isEqualTo("53300");
        assertThat(failure.message()).isEqualTo("sorry, too many clients already");
        assertThat(failure.serverError()).isPresent();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void gssapiIsRefusedClearly() throws Exception {
        start();
        channel.writeInbound(frames(AuthenticationGSS.INSTANCE::encode));
        assertThat(failure().sqlState()).isEqualTo("08001");
        assertThat(failure().message()).contains("GSS").contains("does not support");
    }

    @Test
    void messagesTheProtocolDoesNotAllowDuringStartupAreRefused() throws Exception {
        start();
        channel.writeInbound(frames(out -> DataRow.ofText("x").encode(out)));
        assertThat(failure().sqlState()).isEqualTo("08P01");
        assertThat(failure().message()).contains("DataRow");
    }

    @Test
    void readyForQueryBeforeAuthenticationOkIsRefused() throws Exception {
        start();
        channel.writeInbound(frames(out -> new ReadyForQuery('I').encode(out)));
        assertThat(failure().sqlState()).isEqualTo("08P01");
    }

    @Test
    void oversizedMessageIsRefusedBeforeItIsBuffered() throws Exception {
        start();
        channel.writeInbound(Unpooled.buffer().writeByte('R').writeInt(1 << 20).writeInt(0));
        assertThat(failure().sqlState()).isEqualTo("08P01");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void malformedAuthenticationRequestIsAProtocolViolation() throws Exception {
        start();
        channel.writeInbound(Unpooled.buffer().writeByte('R').writeInt(8).writeInt(77));
        assertThat(failure().sqlState()).isEqualTo("08P01");
    }

    @Test
    void serverClosingDuringStartupFails() throws Exception {
        start();
        channel.close();
        assertThat(failure().sqlState()).isEqualTo("08006");
        assertThat(failure().message()).contains("closed the connection during authentication");
    }

    @Test
    void responderFailureEndsTheAttemptWithItsException() throws Exception {
        BackendException refused = new BackendException("08001", "no secret here");
        start(BackendTlsConfig.Mode.DISABLE, (request, allocator) -> CompletableFuture.failedFuture(refused));
        channel.writeInbound(frames(out -> new AuthenticationMD5Password(new byte[4]).encode(out)));
        assertThat(failure()).isSameAs(refused);
    }

    @Test
    void tlsModesSendSslRequestFirst() throws Exception {
        start(BackendTlsConfig.Mode.PREFER, new CredentialResponder(LOGIN));
        assertThat(bytes(channel.readOutbound())).containsExactly(0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f);
    }

    @Test
    void preferContinuesInPlaintextWhenTheServerSaysN() throws Exception {
        start(BackendTlsConfig.Mode.PREFER, new CredentialResponder(LOGIN));
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'N'}));
        ByteBuf startup = channel.readOutbound();
        assertThat(startup.getInt(4)).isEqualTo(3 << 16);
        startup.release();
        assertThat(result).isNotDone();
    }

    @Test
    void requireFailsWhenTheServerSaysN() throws Exception {
        start(BackendTlsConfig.Mode.REQUIRE, new CredentialResponder(LOGIN));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'N'}));
        assertThat(failure().sqlState()).isEqualTo("08001");
        assertThat(failure().message()).contains("does not accept TLS").contains("require");
    }

    @Test
    void bytesAfterTheServersSAreRefusedAsPossiblyInjected() throws Exception {
        start(BackendTlsConfig.Mode.REQUIRE, new CredentialResponder(LOGIN));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S', 'R', 0, 0, 0, 8, 0, 0, 0, 0}));
        assertThat(failure().sqlState()).isEqualTo("08P01");
        assertThat(failure().message()).contains("unencrypted data after accepting TLS");
    }

    @Test
    void sStartsTheTlsHandshake() throws Exception {
        start(BackendTlsConfig.Mode.REQUIRE, new CredentialResponder(LOGIN));
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S'}));
        assertThat(channel.pipeline().get(BackendStartupHandler.TLS)).isNotNull();
        ByteBuf clientHello = channel.readOutbound();
        assertThat(clientHello.getByte(0)).as("TLS handshake record").isEqualTo((byte) 22);
        clientHello.release();
    }

    @Test
    void failedHandshakeUnderPreferRetriesInPlaintextLikeLibpq() throws Exception {
        start(BackendTlsConfig.Mode.PREFER, new CredentialResponder(LOGIN));
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S'}));
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(Unpooled.wrappedBuffer("this is not a TLS record at all".getBytes(StandardCharsets.US_ASCII)));
        assertThat(plaintextRetries).isEqualTo(1);
        assertThat(result).isNotDone();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void failedHandshakeUnderRequireFails() throws Exception {
        start(BackendTlsConfig.Mode.REQUIRE, new CredentialResponder(LOGIN));
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S'}));
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(Unpooled.wrappedBuffer("this is not a TLS record at all".getBytes(StandardCharsets.US_ASCII)));
        assertThat(plaintextRetries).isZero();
        assertThat(failure().sqlState()).isEqualTo("08001");
        assertThat(failure().message()).contains("TLS with backend pg").contains("require");
    }

    @Test
    void errorResponseToSslRequestIsRelayed() throws Exception {
        start(BackendTlsConfig.Mode.REQUIRE, new CredentialResponder(LOGIN));
        channel.writeInbound(frames(out -> ErrorResponse.fatal("53300", "sorry, too many clients already").encode(out)));
        assertThat(failure().sqlState()).isEqualTo("53300");
    }

    @Test
    void anyOtherAnswerToSslRequestIsAProtocolViolation() throws Exception {
        start(BackendTlsConfig.Mode.PREFER, new CredentialResponder(LOGIN));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'X'}));
        assertThat(failure().sqlState()).isEqualTo("08P01");
        assertThat(failure().message()).contains("0x58");
    }
}
