package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgwarden.plugin.oidc.TokenRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refusal of PostgreSQL 18's {@code oauth_exchange} and {@code validate_token_format}, with its exact words. */
class OAuthBearerMessageTest {

    private static final String K = "\u0001";

    static Stream<Arguments> malformedInitialResponses() {
        return Stream.of(
                Arguments.of("", "The message is empty."),
                Arguments.of("n,," + K + "auth=Bearer abc\u0000" + K + K, "Message length does not match input length."),
                Arguments.of("p=tls-server-end-point,," + K + "auth=" + K + K, "The server does not support channel binding for OAuth, "
                        + "but the client message includes channel binding data."),
                Arguments.of("nx," + K + "auth=" + K + K, "Comma expected, but found character \"'x'\"."),
                Arguments.of("y" + K + "auth=" + K + K, "Comma expected, but found character \"0x01\"."),
                Arguments.of("n", "Comma expected, but found character \"0x00\"."),
                Arguments.of("q,," + K + "auth=" + K + K, "Unexpected channel-binding flag \"'q'\"."),
                Arguments.of(" ,," + K + "auth=" + K + K, "Unexpected channel-binding flag \"0x20\"."),
                Arguments.of("\u00e9,,", "Unexpected channel-binding flag \"0xc3\"."),
                Arguments.of("n,b=x," + K + "auth=" + K + K, "Unexpected attribute \"'b'\" in client-first-message."),
                Arguments.of("n,", "Unexpected attribute \"0x00\" in client-first-message."),
                Arguments.of("n,,auth=" + K + K, "Key-value separator expected, but found character \"'a'\"."),
                Arguments.of("n,,", "Key-value separator expected, but found character \"0x00\"."),
                Arguments.of("n,," + K + "=x" + K + K, "Message contains an empty key name."),
                Arguments.of("n,," + K + "au1th=x" + K + K, "Message contains an invalid key name."),
                Arguments.of("n,," + K + "auth-x=y" + K + K, "Message contains an invalid key name."),
                Arguments.of("n,," + K + "auth=Bearer a\u007fb" + K + K, "Message contains an invalid value."),
                Arguments.of("n,," + K + "auth=Bearer \u00e9" + K + K, "Message contains an invalid value."),
                Arguments.of("n,," + K + "host=x" + K + "auth" + K + K, "Message contains a key without a value."),
                Arguments.of("n,," + K + "auth=Bearer abc", "Message contains an unterminated key/value pair."),
                Arguments.of("n,," + K + "auth=" + K + "auth=Bearer abc" + K + K, "Message contains multiple auth values."),
                Arguments.of("n,," + K + "auth=Bearer abc" + K, "Message did not contain a final terminator."),
                Arguments.of("n,," + K, "Message did not contain a final terminator."),
                Arguments.of("n,," + K + "host=db.example.com" + K + K, "Message does not contain an auth value."),
                Arguments.of("n,," + K + K, "Message does not contain an auth value."),
                Arguments.of("n,," + K + "auth=Bearer abc" + K + K + "x", "Message contains additional data after the final terminator."),
                Arguments.of("n,," + K + "auth=Bearer abc" + K + K + K, "Message contains additional data after the final terminator."));
    }

    @ParameterizedTest
    @MethodSource("malformedInitialResponses")
    void aMalformedInitialResponseIsRefusedWithPostgresqlsWords(String message, String detail) {
        OAuthBearerViolation violation = assertThrows(OAuthBearerViolation.class,
                () -> OAuthBearerMessage.authValue(message.getBytes(StandardCharsets.UTF_8)));

        assertThat(violation.sqlState()).isEqualTo("08P01");
        assertThat(violation.getMessage()).isEqualTo("malformed OAUTHBEARER message");
        assertThat(violation.detail()).isEqualTo(detail);
        assertThat(violation.toProtocolException()).hasMessage("malformed OAUTHBEARER message")
                .satisfies(e -> assertThat(e.detail()).isEqualTo(detail));
    }

    @Test
    void anAuthorizationIdentityIsNotSupported() {
        OAuthBearerViolation violation = assertThrows(OAuthBearerViolation.class,
                () -> OAuthBearerMessage.authValue(bytes("n,a=alice," + K + "auth=" + K + K)));

        assertThat(violation.sqlState()).isEqualTo("0A000");
        assertThat(violation.getMessage()).isEqualTo("client uses authorization identity, but it is not supported");
        assertThat(violation.detail()).isNull();
    }

    @Test
    void anEmptyAuthIsADiscoveryRequest() {
        assertThat(OAuthBearerMessage.authValue(bytes("n,," + K + "auth=" + K + K))).isEmpty();
        assertThat(OAuthBearerMessage.authValue(bytes("y,," + K + "auth=" + K + K))).isEmpty();
    }

    @Test
    void theAuthValueIsReturnedAndUnknownKeysAreIgnored() {
        String message = "n,," + K + "host=db.example.com" + K + "port=5432" + K + "auth=Bearer a.b-c_d~e+f/g==" + K + "x=\t \r\n" + K + K;

        assertThat(OAuthBearerMessage.authValue(bytes(message))).isEqualTo("Bearer a.b-c_d~e+f/g==");
    }

    @Test
    void aKeyValueSeparatorAloneIsTheOnlyAnswerToTheChallenge() {
        OAuthBearerMessage.requireKvsep(new byte[] {1});

        assertDetail(() -> OAuthBearerMessage.requireKvsep(new byte[0]), "The message is empty.");
        assertDetail(() -> OAuthBearerMessage.requireKvsep(new byte[] {0}), "Message length does not match input length.");
        assertDetail(() -> OAuthBearerMessage.requireKvsep(new byte[] {1, 0}), "Message length does not match input length.");
        assertDetail(() -> OAuthBearerMessage.requireKvsep(new byte[] {2}), "Client did not send a kvsep response.");
        assertDetail(() -> OAuthBearerMessage.requireKvsep(new byte[] {1, 1}), "Client did not send a kvsep response.");
        assertDetail(() -> OAuthBearerMessage.requireKvsep(bytes("n,," + K + "auth=" + K + K)), "Client did not send a kvsep response.");
    }

    @Test
    void aBearerHeaderGivesItsToken() throws TokenRejectedException {
        assertThat(OAuthBearerMessage.bearerToken("Bearer abc.DEF-123_~+/==")).isEqualTo("abc.DEF-123_~+/==");
        assertThat(OAuthBearerMessage.bearerToken("bEaReR    abc")).isEqualTo("abc");
    }

    @Test
    void aMalformedBearerHeaderIsRejectedWithPostgresqlsLogDetailAndWithoutTheToken() {
        assertMalformed("Basic YWxpY2U6c2VjcmV0", "Client response indicated a non-Bearer authentication scheme.");
        assertMalformed("Bearer", "Client response indicated a non-Bearer authentication scheme.");
        assertMalformed("Bearer\tsecret-token", "Client response indicated a non-Bearer authentication scheme.");
        assertMalformed("Bearer ", "Bearer token is empty.");
        assertMalformed("Bearer    ", "Bearer token is empty.");
        assertMalformed("Bearer secret=token", "Bearer token is not in the correct format.");
        assertMalformed("Bearer secret token", "Bearer token is not in the correct format.");
        assertMalformed("Bearer secret%token", "Bearer token is not in the correct format.");
        assertMalformed("Bearer =secret", "Bearer token is not in the correct format.");
    }

    @Test
    void sanitizeQuotesPrintableBytesAndWritesOthersInHex() {
        assertThat(OAuthBearerMessage.sanitize((byte) '!')).isEqualTo("'!'");
        assertThat(OAuthBearerMessage.sanitize((byte) '~')).isEqualTo("'~'");
        assertThat(OAuthBearerMessage.sanitize((byte) ' ')).isEqualTo("0x20");
        assertThat(OAuthBearerMessage.sanitize((byte) 0x7f)).isEqualTo("0x7f");
        assertThat(OAuthBearerMessage.sanitize((byte) 0xff)).isEqualTo("0xff");
    }

    private static void assertMalformed(String header, String reason) {
        assertThatThrownBy(() -> OAuthBearerMessage.bearerToken(header)).isInstanceOfSatisfying(TokenRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e.getMessage()).isEqualTo(reason).doesNotContain("secret");
        });
    }

    private static void assertDetail(org.junit.jupiter.api.function.Executable call, String detail) {
        OAuthBearerViolation violation = assertThrows(OAuthBearerViolation.class, call);
        assertThat(violation.getMessage()).isEqualTo("malformed OAUTHBEARER message");
        assertThat(violation.detail()).isEqualTo(detail);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
