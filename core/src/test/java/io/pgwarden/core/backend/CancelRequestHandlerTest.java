package io.pgwarden.core.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.core.protocol.backend.BackendKeyData;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CancelRequestHandlerTest {

    private static final BackendKeyData KEY = new BackendKeyData(1234, new byte[] {1, 2, 3, 4});
    private final CompletableFuture<Void> result = new CompletableFuture<>();

    private EmbeddedChannel channel(BackendTlsConfig.Mode mode) throws Exception {
        BackendConfig backend = new BackendConfig("pg", "localhost", 5432, new BackendTlsConfig(mode, null),
                Duration.ofSeconds(5));
        SslContext ssl = mode == BackendTlsConfig.Mode.DISABLE ? null
                : BackendTlsContexts.build(backend.tls(), null);
        return new EmbeddedChannel(new CancelRequestHandler(backend, KEY, ssl, result));
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] array = ByteBufUtil.getBytes(buf);
        buf.release();
        return array;
    }

    @Test
    void withoutTlsSendsTheCancelRequestAndCloses() throws Exception {
        EmbeddedChannel channel = channel(BackendTlsConfig.Mode.DISABLE);
        assertThat(bytes(channel.readOutbound()))
                .containsExactly(0, 0, 0, 16, 0x04, (byte) 0xd2, 0x16, 0x2e, 0, 0, 0x04, (byte) 0xd2, 1, 2, 3, 4);
        assertThat(channel.isOpen()).isFalse();
        assertThat(result).isCompleted();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void requireNeverSendsTheKeyInPlaintextWhenTheServerRefusesTls() throws Exception {
        EmbeddedChannel channel = channel(BackendTlsConfig.Mode.REQUIRE);
        assertThat(bytes(channel.readOutbound())).containsExactly(0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'N'}));
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(result).isCompletedExceptionally();
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void preferSendsTheCancelInPlaintextWhenTheServerRefusesTls() throws Exception {
        EmbeddedChannel channel = channel(BackendTlsConfig.Mode.PREFER);
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'N'}));
        assertThat(bytes(channel.readOutbound())).hasSize(16);
        assertThat(result).isCompleted();
        channel.finishAndReleaseAll();
    }

    @Test
    void sStartsTlsBeforeTheCancel() throws Exception {
        EmbeddedChannel channel = channel(BackendTlsConfig.Mode.REQUIRE);
        channel.<ByteBuf>readOutbound().release();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S'}));
        assertThat(bytes(channel.readOutbound())[0]).as("TLS handshake record").isEqualTo((byte) 22);
        assertThat(result).isNotDone();
        channel.finishAndReleaseAll();
    }
}
