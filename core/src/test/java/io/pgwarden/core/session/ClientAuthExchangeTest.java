package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.protocol.PgFrameDecoder;
import io.pgwarden.spi.AuthMessageLengthException;
import io.pgwarden.spi.AuthProtocolException;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Credential;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ClientAuthExchangeTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(1 << 20));
    private final ClientAuthExchange exchange = new ClientAuthExchange(
            new SessionState("s-1", new ClientInfo(new InetSocketAddress("192.0.2.7", 40000), null), Map.of("user", "alice")),
            channel, new AuthRule("auth.rules[0]", "*", "*", List.of(), false, "oauth", "pg", null, Map.of()),
            new BackendLogin("pg", "alice", "alice", Credential.none(), Map.of(), List.of()), null,
            new ClientAuthExchange.PasswordCache());

    @Test
    void aRequestAfterTheClientLeftFailsAtOnceInsteadOfWaitingForever() {
        channel.close();

        CompletableFuture<byte[]> answer = exchange.saslContinue(new byte[] {'{'}).toCompletableFuture();

        assertThat(answer).isCompletedExceptionally();
        assertThat(answer.handle((value, error) -> error).join()).isInstanceOf(AuthProtocolException.class)
                .hasMessage("the client closed the connection");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aRequestWhileTheClientIsConnectedIsWrittenAndWaitsForTheAnswer() {
        CompletableFuture<byte[]> answer = exchange.saslContinue(new byte[] {'{'}).toCompletableFuture();

        ByteBuf written = channel.readOutbound();
        try {
            assertThat(written.readByte()).isEqualTo((byte) 'R');
        } finally {
            written.release();
        }
        assertThat(answer).isNotDone();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aFailedRequestFailsWithTheGivenErrorOnce() {
        CompletableFuture<byte[]> answer = exchange.saslContinue(new byte[] {'{'}).toCompletableFuture();
        releaseOutbound();

        assertThat(exchange.fail(new AuthMessageLengthException("invalid message length 65536"))).isTrue();

        assertThat(answer.handle((value, error) -> error).join()).hasCauseInstanceOf(AuthMessageLengthException.class);
        assertThat(exchange.fail(new AuthMessageLengthException("again"))).isFalse();
    }

    private void releaseOutbound() {
        ByteBuf written;
        while ((written = channel.readOutbound()) != null) {
            written.release();
        }
    }
}
