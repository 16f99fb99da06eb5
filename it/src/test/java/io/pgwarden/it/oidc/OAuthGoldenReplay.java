package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.pgwarden.it.oidc.OAuthGoldenExchange.Message;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Replays the client side of an {@link OAuthGoldenExchange} to a server over TLS (SSLRequest) and asserts that the
 * server answers as PostgreSQL 18 did; see {@link OAuthBearerGoldenIT} for what is compared and why.
 */
final class OAuthGoldenReplay {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Duration OPEN_WAIT = Duration.ofSeconds(1);
    private static final String COMPARED_ERROR_FIELDS = "SVCMD";

    private final String host;
    private final int port;
    private final SSLContext tls;
    private final String issuer;

    /**
     * A replay against {@code host}:{@code port}.
     *
     * @param tls trusts the server's certificate (the host name is verified too)
     * @param issuer the issuer the server names in its discovery JSON, in place of the fixture's
     */
    OAuthGoldenReplay(String host, int port, SSLContext tls, String issuer) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.tls = Objects.requireNonNull(tls, "tls");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
    }

    /**
     * Replays {@code golden} with {@code token} in place of the fixture's token and asserts every answer, the order,
     * and whether the server closes the connection at the end.
     */
    void replay(OAuthGoldenExchange golden, String token) throws IOException {
        String name = golden.name();
        List<Message> script = golden.withToken(token);
        byte[] fixtureIssuer = golden.meta("issuer").getBytes(StandardCharsets.US_ASCII);
        byte[] serverIssuer = issuer.getBytes(StandardCharsets.US_ASCII);
        try (RawPgClient client = RawPgClient.connect(host, port, READ_TIMEOUT)) {
            int at = 0;
            while (at < script.size()) {
                Message expected = script.get(at);
                String step = name + ", message " + (at + 1) + " " + expected;
                if (expected.fromClient()) {
                    send(client, expected, step);
                    at++;
                    continue;
                }
                RawMessage actual = read(client, step);
                assertThat(actual.type()).as(step + ": the type of the answer " + actual).isEqualTo(expected.type());
                if (expected.type() == 'R' && expected.authenticationCode() == 0) {
                    assertThat(actual.body()).as(step + ": AuthenticationOk").containsExactly(expected.body());
                    at = loginCompletes(client, script, at, step);
                    continue;
                }
                compare(expected, OAuthGoldenExchange.replace(expected.body(), fixtureIssuer, serverIssuer), actual, step);
                at++;
            }
            boolean closed = client.isClosedByPeer(golden.closedAtEnd() ? CLOSE_WAIT : OPEN_WAIT);
            assertThat(closed).as(name + ": whether the server closed the connection after the last message, as PostgreSQL "
                    + (golden.closedAtEnd() ? "did" : "did not")).isEqualTo(golden.closedAtEnd());
        }
    }

    /** After AuthenticationOk: up to ReadyForQuery the server neither authenticates again nor fails. */
    private static int loginCompletes(RawPgClient client, List<Message> script, int okAt, String step) throws IOException {
        int readyAt = okAt + 1;
        while (script.get(readyAt).type() != 'Z') {
            readyAt++;
        }
        while (true) {
            RawMessage next = read(client, step + " then up to ReadyForQuery");
            assertThat(next.type()).as(step + ": after AuthenticationOk, before ReadyForQuery: " + next).isNotIn('R', 'E');
            if (next.type() == 'Z') {
                return readyAt + 1;
            }
        }
    }

    private static void compare(Message expected, byte[] expectedBody, RawMessage actual, String step) {
        if (expected.type() == 'E') {
            assertThat(comparedFields(actual.fields())).as(step + ": ErrorResponse fields " + COMPARED_ERROR_FIELDS)
                    .isEqualTo(comparedFields(new RawMessage('E', expectedBody).fields()));
        } else {
            // ISO-8859-1 maps every byte to one char, so equal strings are equal bytes and a difference reads well.
            assertThat(new String(actual.body(), StandardCharsets.ISO_8859_1)).as(step + ": the body byte for byte")
                    .isEqualTo(new String(expectedBody, StandardCharsets.ISO_8859_1));
        }
    }

    private static Map<Character, String> comparedFields(Map<Character, String> fields) {
        Map<Character, String> compared = new LinkedHashMap<>();
        fields.forEach((code, value) -> {
            if (COMPARED_ERROR_FIELDS.indexOf(code) >= 0) {
                compared.put(code, value);
            }
        });
        return compared;
    }

    private void send(RawPgClient client, Message message, String step) {
        try {
            if (message.type() == 0) {
                assertThat(client.sendSslRequest()).as(step + ": SSLRequest answered").isEqualTo('S');
                client.startTls(tls);
                client.send(ByteBuffer.allocate(4 + message.body().length).putInt(4 + message.length())
                        .put(message.body()).array());
            } else {
                client.send(ByteBuffer.allocate(5 + message.body().length).put((byte) message.type())
                        .putInt(4 + message.length()).put(message.body()).array());
            }
        } catch (IOException e) {
            fail(step + ": the server had closed the connection before the client sent this (" + e + ")");
        }
    }

    private static RawMessage read(RawPgClient client, String step) {
        try {
            return client.readMessage();
        } catch (SocketTimeoutException e) {
            return fail(step + ": expected from the server, which sent nothing in " + READ_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            return fail(step + ": expected from the server, but " + e);
        }
    }
}
