package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.plugin.scram.ScramServerExchange.Challenge;
import io.pgwarden.plugin.scram.ScramServerExchange.Proven;
import io.pgwarden.plugin.scram.ScramServerExchange.Refusal;
import io.pgwarden.plugin.scram.ScramServerExchange.Refused;
import io.pgwarden.plugin.scram.ScramServerExchange.Result;
import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.AuthProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScramServerExchangeTest {

    // RFC 7677 section 3.
    private static final String RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String RFC_SERVER_SUFFIX = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String RFC_NONCE = RFC_CLIENT_NONCE + RFC_SERVER_SUFFIX;
    private static final byte[] RFC_SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final ScramVerifier PENCIL = ScramVerifier.derive("pencil", RFC_SALT, 4096);
    private static final String RFC_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final byte[] CERT_HASH = FakeExchange.CERTIFICATE_HASH;

    @Test
    void rfc7677TestVectorGivesTheRfcServerFirstAndServerSignature() {
        ScramServerExchange exchange = new ScramServerExchange(PENCIL, false, null, RFC_SERVER_SUFFIX);

        Result first = exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,,n=user,r=" + RFC_CLIENT_NONCE));
        assertThat(text(((Challenge) first).message())).isEqualTo("r=" + RFC_NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");

        Result last = exchange.receiveClientFinal(bytes("c=biws,r=" + RFC_NONCE + ",p=" + RFC_PROOF));
        assertThat(last).isInstanceOf(Proven.class);
        Proven proven = (Proven) last;
        assertThat(text(proven.serverFinal())).isEqualTo("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        assertThat(PENCIL.matchesClientKey(proven.clientKey())).isTrue();
    }

    @Test
    void rfc7677ProofWithAnotherPasswordsVerifierIsAWrongProof() {
        ScramVerifier other = ScramVerifier.derive("pen", RFC_SALT, 4096);
        ScramServerExchange exchange = new ScramServerExchange(other, false, null, RFC_SERVER_SUFFIX);
        exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,,n=user,r=" + RFC_CLIENT_NONCE));

        assertThat(exchange.receiveClientFinal(bytes("c=biws,r=" + RFC_NONCE + ",p=" + RFC_PROOF)))
                .isEqualTo(new Refused(Refusal.WRONG_PROOF));
    }

    @Test
    void clientComputedProofIsProvenAndItsServerFinalVerifies() {
        ScramTestClient client = ScramTestClient.plain("pencil");
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, false, null);

        Challenge challenge = (Challenge) exchange.receiveClientFirst("SCRAM-SHA-256", client.clientFirst());
        Proven proven = (Proven) exchange.receiveClientFinal(client.clientFinal(challenge.message()));

        assertThat(client.serverFinalValid(proven.serverFinal())).isTrue();
        assertThat(proven.clientKey()).isEqualTo(client.clientKey());
    }

    @Test
    void randomServerNonceIsTheClientNonceAndBase64Of18Bytes() {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, false, null);
        String serverFirst = text(((Challenge) exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,,n=,r=abc"))).message());
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        assertThat(nonce).startsWith("abc");
        assertThat(Base64.getDecoder().decode(nonce.substring(3))).hasSize(18);
    }

    @Test
    void channelBindingWithTheProxysCertificateHashIsProven() {
        ScramTestClient client = ScramTestClient.bound("pencil", CERT_HASH);
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, true, CERT_HASH);

        Challenge challenge = (Challenge) exchange.receiveClientFirst("SCRAM-SHA-256-PLUS", client.clientFirst());
        assertThat(exchange.receiveClientFinal(client.clientFinal(challenge.message()))).isInstanceOf(Proven.class);
    }

    @Test
    void channelBindingWithAnotherCertificateHashIsAMismatch() {
        ScramTestClient client = ScramTestClient.bound("pencil", "a relay's certificate hash, 32 b".getBytes(StandardCharsets.US_ASCII));
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, true, CERT_HASH);

        Challenge challenge = (Challenge) exchange.receiveClientFirst("SCRAM-SHA-256-PLUS", client.clientFirst());
        assertThat(exchange.receiveClientFinal(client.clientFinal(challenge.message())))
                .isEqualTo(new Refused(Refusal.CHANNEL_BINDING_MISMATCH));
    }

    @Test
    void yFlagWhilePlusWasOfferedIsADowngrade() {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, true, CERT_HASH);
        assertThat(exchange.receiveClientFirst("SCRAM-SHA-256", bytes("y,,n=,r=abc"))).isEqualTo(new Refused(Refusal.DOWNGRADE));
    }

    @Test
    void yFlagWhenPlusWasNotOfferedIsAcceptedAndMustBeRepeatedInClientFinal() {
        ScramTestClient client = new ScramTestClient("pencil", "y,,", null, "abc");
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, false, CERT_HASH);

        Challenge challenge = (Challenge) exchange.receiveClientFirst("SCRAM-SHA-256", client.clientFirst());
        assertThat(exchange.receiveClientFinal(client.clientFinal(challenge.message()))).isInstanceOf(Proven.class);
    }

    @Test
    void gs2HeaderInClientFinalMustBeTheOneOfClientFirst() {
        ScramServerExchange exchange = new ScramServerExchange(PENCIL, false, null, "S");
        exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,,n=,r=abc"));
        // eSws is "y,,": the client changed its mind between the messages.
        assertThatThrownBy(() -> exchange.receiveClientFinal(bytes("c=eSws,r=abcS,p=" + RFC_PROOF)))
                .isInstanceOf(AuthProtocolException.class)
                .hasMessageContaining("unexpected SCRAM channel-binding attribute");
    }

    @Test
    void nonceMismatchIsAProtocolViolation() {
        ScramServerExchange exchange = new ScramServerExchange(PENCIL, false, null, "S");
        exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,,n=,r=abc"));
        assertThatThrownBy(() -> exchange.receiveClientFinal(bytes("c=biws,r=abcT,p=" + RFC_PROOF)))
                .isInstanceOf(AuthProtocolException.class)
                .hasMessageContaining("nonce does not match");
    }

    @Test
    void clientNonceAloneIsANonceMismatch() {
        ScramServerExchange exchange = new ScramServerExchange(PENCIL, false, null, "S");
        exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,,n=,r=abc"));
        assertThatThrownBy(() -> exchange.receiveClientFinal(bytes("c=biws,r=abc,p=" + RFC_PROOF)))
                .isInstanceOf(AuthProtocolException.class);
    }

    @Test
    void authorizationIdentityIsRefused() {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, false, null);
        assertThatThrownBy(() -> exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,a=admin,n=,r=abc")))
                .isInstanceOf(AuthProtocolException.class)
                .hasMessage("client uses authorization identity, but it is not supported");
    }

    @Test
    void channelBindingDataWithPlainScramIsAProtocolViolation() {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, true, CERT_HASH);
        assertThatThrownBy(() -> exchange.receiveClientFirst("SCRAM-SHA-256", bytes("p=tls-server-end-point,,n=,r=abc")))
                .isInstanceOf(AuthProtocolException.class)
                .hasMessageContaining("includes channel binding data");
    }

    @ParameterizedTest
    @ValueSource(strings = {"n,,n=,r=abc", "y,,n=,r=abc"})
    void plusWithoutChannelBindingDataIsAProtocolViolation(String clientFirst) {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, true, CERT_HASH);
        assertThatThrownBy(() -> exchange.receiveClientFirst("SCRAM-SHA-256-PLUS", bytes(clientFirst)))
                .isInstanceOf(AuthProtocolException.class)
                .hasMessageContaining("does not include channel binding data");
    }

    @Test
    void otherChannelBindingTypesAreRefused() {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, true, CERT_HASH);
        assertThatThrownBy(() -> exchange.receiveClientFirst("SCRAM-SHA-256-PLUS", bytes("p=tls-unique,,n=,r=abc")))
                .isInstanceOf(AuthProtocolException.class)
                .hasMessage("unsupported SCRAM channel-binding type \"tls-unique\"");
    }

    @Test
    void plusWithoutTlsIsAProtocolViolation() {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, false, null);
        assertThatThrownBy(() -> exchange.receiveClientFirst("SCRAM-SHA-256-PLUS", bytes("p=tls-server-end-point,,n=,r=abc")))
                .isInstanceOf(AuthProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-1", "scram-sha-256", ""})
    void unknownMechanismsAreRefused(String mechanism) {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, false, null);
        assertThatThrownBy(() -> exchange.receiveClientFirst(mechanism, bytes("n,,n=,r=abc"))).isInstanceOf(AuthProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                           // empty
        "n",                          // ends after the flag
        "n,",                         // ends after the flag's comma
        "n,,",                        // no user name
        "q,,n=,r=abc",                // unknown flag
        "n;,n=,r=abc",                // no comma after the flag
        "n,x,n=,r=abc",               // neither authzid nor empty
        "n,,r=abc",                   // user name missing
        "n,,n=user",                  // nonce missing
        "n,,n=user,",                 // nonce missing after the comma
        "n,,n=user,r=",               // empty nonce
        "n,,n=user,r=a b",            // space in the nonce
        "n,,n=user,r=a\u00e9b",       // non-ASCII in the nonce
        "n,,n=user,s=abc",            // another attribute instead of the nonce
        "n,,n=user,r=abc,",           // trailing comma
        "n,,n=user,r=abc,1=x",        // extension name not a letter
        "n,,n=user,r=abc,x",          // extension without a value
        "n,,m=ext,n=user,r=abc",      // mandatory extension
        "n,,n=user;r=abc",            // no comma between attributes
        "n,,nuser,r=abc",             // no '=' after the attribute name
        "p,,n=,r=abc",                // p without a type
        "n,,n=user,r=abc\u0000",      // zero byte
    })
    void malformedClientFirstMessagesAreProtocolViolations(String clientFirst) {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, false, null);
        assertThatThrownBy(() -> exchange.receiveClientFirst("SCRAM-SHA-256", bytes(clientFirst)))
                .isInstanceOf(AuthProtocolException.class);
    }

    @Test
    void clientFirstThatIsNotUtf8IsAProtocolViolation() {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, false, null);
        byte[] message = {'n', ',', ',', 'n', '=', (byte) 0xC3, (byte) 0x28, ',', 'r', '=', 'a'};
        assertThatThrownBy(() -> exchange.receiveClientFirst("SCRAM-SHA-256", message)).isInstanceOf(AuthProtocolException.class);
    }

    @Test
    void missingOrOverlongClientFirstIsAProtocolViolation() {
        assertThatThrownBy(() -> ScramServerExchange.create(PENCIL, false, null).receiveClientFirst("SCRAM-SHA-256", null))
                .isInstanceOf(AuthProtocolException.class);
        String overlong = "n,,n=,r=" + "a".repeat(ScramServerExchange.MAX_MESSAGE_LENGTH);
        assertThatThrownBy(() -> ScramServerExchange.create(PENCIL, false, null).receiveClientFirst("SCRAM-SHA-256", bytes(overlong)))
                .isInstanceOf(AuthProtocolException.class)
                .hasMessageContaining("longer than");
    }

    @Test
    void clientFirstExtensionsAfterTheNonceAreIgnoredAsPostgresqlDoes() {
        ScramServerExchange exchange = new ScramServerExchange(PENCIL, false, null, "S");
        Result first = exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,,n=user,r=abc,x=whatever"));
        assertThat(text(((Challenge) first).message())).startsWith("r=abcS,");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                   // empty
        "r=abcS,p=" + RFC_PROOF,              // no channel binding
        "c=biws",                             // nothing else
        "c=biws,r=abcS",                      // no proof
        "c=biws,r=abcS,",                     // trailing comma, no proof
        "c=biws,r=abcS,x=ext,p=" + RFC_PROOF, // extension before the proof
        "c=biws,p=" + RFC_PROOF + ",r=abcS",  // wrong order
        "r=abcS,c=biws,p=" + RFC_PROOF,       // wrong order
        "c=bi*s,r=abcS,p=" + RFC_PROOF,       // bad base64
        "c=biw,r=abcS,p=" + RFC_PROOF,        // base64 of a wrong length
        "c=biws,r=abcS,p=AAAA",               // proof too short
        "c=biws,r=abcS,p=" + RFC_PROOF + "AAAA", // proof too long
        "c=biws,r=abcS,p=not base64!",        // proof not base64
        "c=biws,r=abcS,p=" + RFC_PROOF + ",x=y", // garbage after the proof
        "c=biws,r=abcS,p=",                   // empty proof
        "c=,r=abcS,p=" + RFC_PROOF,           // empty channel binding
        "c=biws;r=abcS,p=" + RFC_PROOF,       // no comma
    })
    void malformedClientFinalMessagesAreProtocolViolations(String clientFinal) {
        ScramServerExchange exchange = new ScramServerExchange(PENCIL, false, null, "S");
        exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,,n=,r=abc"));
        assertThatThrownBy(() -> exchange.receiveClientFinal(bytes(clientFinal))).isInstanceOf(AuthProtocolException.class);
    }

    @Test
    void protocolViolationMessagesNeverRepeatTheProof() {
        ScramServerExchange exchange = new ScramServerExchange(PENCIL, false, null, "S");
        exchange.receiveClientFirst("SCRAM-SHA-256", bytes("n,,n=,r=abc"));
        assertThatThrownBy(() -> exchange.receiveClientFinal(bytes("c=biws,r=abcS,p=" + RFC_PROOF + ",x=y")))
                .isInstanceOf(AuthProtocolException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(RFC_PROOF).doesNotContain("dHzb"));
    }

    @Test
    void stepsOutOfOrderAreRefused() {
        ScramServerExchange exchange = ScramServerExchange.create(PENCIL, false, null);
        assertThatThrownBy(() -> exchange.receiveClientFinal(bytes("c=biws,r=abc,p=" + RFC_PROOF))).isInstanceOf(IllegalStateException.class);
        ScramServerExchange failed = ScramServerExchange.create(PENCIL, false, null);
        assertThatThrownBy(() -> failed.receiveClientFirst("SCRAM-SHA-256", bytes("x"))).isInstanceOf(AuthProtocolException.class);
        assertThatThrownBy(() -> failed.receiveClientFinal(bytes("c=biws,r=abc,p=" + RFC_PROOF))).isInstanceOf(IllegalStateException.class);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
