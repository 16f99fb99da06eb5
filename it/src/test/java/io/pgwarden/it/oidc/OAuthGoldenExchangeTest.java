package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.it.oidc.OAuthGoldenExchange.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The golden fixture reader: what it reads is what the replay sends, so a mistake here would weaken the IT silently. */
class OAuthGoldenExchangeTest {

    @Test
    void everyCapturedExchangeReadsAndStartsWithStartupThenAuthenticationSasl() {
        List<String> names = OAuthGoldenExchange.names();
        assertThat(names).hasSize(32).doesNotHaveDuplicates();
        for (String name : names) {
            OAuthGoldenExchange exchange = OAuthGoldenExchange.load(name);
            assertThat(exchange.messages().get(0).fromClient()).as(name).isTrue();
            assertThat(exchange.messages().get(0).type()).as(name).isEqualTo((char) 0);
            assertThat(exchange.messages().get(1).toString()).as(name).isEqualTo("S R 0000000a4f415554484245415245520000");
        }
    }

    @Test
    void tokenIsReplacedAndTheInitialResponseLengthRewritten() {
        OAuthGoldenExchange exchange = OAuthGoldenExchange.load("valid-token");
        Message initial = exchange.withToken("eyJ.a-b_c.d~e").get(2);
        ByteBuffer body = ByteBuffer.wrap(initial.body());
        byte[] mechanism = new byte["OAUTHBEARER".length() + 1];
        body.get(mechanism);
        int length = body.getInt();
        byte[] data = new byte[body.remaining()];
        body.get(data);
        assertThat(new String(mechanism, StandardCharsets.US_ASCII)).isEqualTo("OAUTHBEARER\0");
        assertThat(length).isEqualTo(data.length);
        assertThat(new String(data, StandardCharsets.US_ASCII)).isEqualTo("n,,\1auth=Bearer eyJ.a-b_c.d~e\1\1");
        assertThat(initial.length()).isEqualTo(initial.body().length);
    }

    @Test
    void tokenInALaterSaslResponseIsReplacedAsIs() {
        Message response = OAuthGoldenExchange.load("no-initial-response").withToken("t0k3n").get(4);
        assertThat(new String(response.body(), StandardCharsets.US_ASCII)).isEqualTo("n,,\1auth=Bearer t0k3n\1\1");
    }

    @Test
    void oversizeMessageKeepsItsDeclaredLengthAndSendsOnlyItsStart() {
        Message oversize = OAuthGoldenExchange.load("oversize").withToken("t0k3n").get(2);
        assertThat(oversize.body()).hasSize(64);
        assertThat(oversize.length()).isEqualTo(65_569);
        assertThat(oversize.body()[63]).isEqualTo((byte) 'A');
    }

    @Test
    void messagesWithoutTheTokenAreLeftAlone() {
        OAuthGoldenExchange exchange = OAuthGoldenExchange.load("wrong-token-then-kvsep");
        assertThat(exchange.withToken("t0k3n")).containsExactlyElementsOf(exchange.messages());
    }

    @Test
    void replaceSwapsEveryOccurrence() {
        byte[] replaced = OAuthGoldenExchange.replace("a-xy-b-xy".getBytes(StandardCharsets.US_ASCII),
                "xy".getBytes(StandardCharsets.US_ASCII), "123".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(replaced, StandardCharsets.US_ASCII)).isEqualTo("a-123-b-123");
    }

    @Test
    void aMessageCannotDeclareLessThanItCarries() {
        assertThatThrownBy(() -> new Message(true, 'p', new byte[3], 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
