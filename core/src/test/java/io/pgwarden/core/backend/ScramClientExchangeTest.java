package io.pgwarden.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.scram.ScramSha256;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ScramClientExchangeTest {

    // RFC 7677 section 3.
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL =
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    // The RFC prints v=6rriTRBi23WpRR/wcVBlH5JqArZIJ5j/HmXs/RiUvVI=, which its errata correct to this.
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static ScramClientExchange rfcExchange(ScramClientExchange.Secret secret) {
        return new ScramClientExchange("user", secret, null, false, CLIENT_NONCE);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void passwordExchangeMatchesRfc7677TestVector() {
        ScramClientExchange exchange = rfcExchange(new ScramClientExchange.Secret.Password("pencil"));
        assertThat(exchange.mechanism()).isEqualTo("SCRAM-SHA-256");
        assertThat(exchange.clientFirstMessage()).isEqualTo("n,,n=user,r=" + CLIENT_NONCE);
        assertThat(exchange.clientFinalMessage(ascii(SERVER_FIRST))).isEqualTo(CLIENT_FINAL);
        exchange.verifyServerFinal(ascii(SERVER_FINAL));
    }

    @Test
    void keysDerivedFromThePasswordProduceTheSameProofWithoutThePassword() {
        byte[] salted = ScramSha256.hi(ascii("pencil"), Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        ScramClientExchange exchange = rfcExchange(new ScramClientExchange.Secret.Keys(
                ScramSha256.clientKey(salted), ScramSha256.serverKey(salted)));
        exchange.clientFirstMessage();
        assertThat(exchange.clientFinalMessage(ascii(SERVER_FIRST))).isEqualTo(CLIENT_FINAL);
        exchange.verifyServerFinal(ascii(SERVER_FINAL));
    }

    @Test
    void postgresStyleExchangeSendsAnEmptyUserNameAndARandomNonce() {
        ScramClientExchange a = ScramClientExchange.create(new ScramClientExchange.Secret.Password("x"), null, false);
        ScramClientExchange b = ScramClientExchange.create(new ScramClientExchange.Secret.Password("x"), null, false);
        String first = a.clientFirstMessage();
        assertThat(first).startsWith("n,,n=,r=").hasSize("n,,n=,r=".length() + 24);
        assertThat(first).isNotEqualTo(b.clientFirstMessage());
    }

    @Test
    void plusBindsTheTlsServerEndPointHashInTheChannelBindingAttribute() {
        byte[] hash = new byte[32];
        for (int i = 0; i < hash.length; i++) {
            hash[i] = (byte) (i * 7);
        }
        ScramClientExchange exchange = new ScramClientExchange("", new ScramClientExchange.Secret.Password("pencil"),
                hash, true, CLIENT_NONCE);
        assertThat(exchange.mechanism()).isEqualTo("SCRAM-SHA-256-PLUS");
        assertThat(exchange.clientFirstMessage()).isEqualTo("p=tls-server-end-point,,n=,r=" + CLIENT_NONCE);
        String clientFinal = exchange.clientFinalMessage(ascii(SERVER_FIRST));
        byte[] header = ascii("p=tls-server-end-point,,");
        byte[] expected = new byte[header.length + hash.length];
        System.arraycopy(header, 0, expected, 0, header.length);
        System.arraycopy(hash, 0, expected, header.length, hash.length);
        assertThat(clientFinal).startsWith("c=" + Base64.getEncoder().encodeToString(expected) + ",r=");
    }

    @Test
    void tlsWithoutPlusSaysTheClientSupportsBindingSoTheServerCanDetectADowngrade() {
        ScramClientExchange exchange = new ScramClientExchange("", new ScramClientExchange.Secret.Password("pencil"),
                new byte[32], false, CLIENT_NONCE);
        assertThat(exchange.clientFirstMessage()).startsWith("y,,");
        assertThat(exchange.clientFinalMessage(ascii(SERVER_FIRST))).startsWith("c=eSws,r=");
    }

    @Test
    void wrongServerSignatureIsRefused() {
        ScramClientExchange exchange = rfcExchange(new ScramClientExchange.Secret.Password("pencil"));
        exchange.clientFirstMessage();
        exchange.clientFinalMessage(ascii(SERVER_FIRST));
        assertThatThrownBy(() -> exchange.verifyServerFinal(ascii("v=6rriTRBi23WpRR/wcVBlH5JqArZIJ5j/HmXs/RiUvVI=")))
                .isInstanceOf(ScramException.class).hasMessageContaining("signature is wrong");
    }

    @Test
    void serverSignatureForAnotherPasswordIsRefused() {
        ScramClientExchange exchange = rfcExchange(new ScramClientExchange.Secret.Password("pencil2"));
        exchange.clientFirstMessage();
        exchange.clientFinalMessage(ascii(SERVER_FIRST));
        assertThatThrownBy(() -> exchange.verifyServerFinal(ascii(SERVER_FINAL)))
                .isInstanceOf(ScramException.class).hasMessageContaining("signature is wrong");
    }

    @Test
    void serverErrorAttributeIsReported() {
        ScramClientExchange exchange = rfcExchange(new ScramClientExchange.Secret.Password("pencil"));
        exchange.clientFirstMessage();
        exchange.clientFinalMessage(ascii(SERVER_FIRST));
        assertThatThrownBy(() -> exchange.verifyServerFinal(ascii("e=invalid-proof")))
                .isInstanceOf(ScramException.class).hasMessageContaining("invalid-proof");
    }

    @Test
    void malformedServerFinalMessagesAreRefused() {
        for (String bad : new String[] {"", "v=", "x=abc", "v=!!!notbase64", SERVER_FINAL + ",x=1", "v" }) {
            ScramClientExchange exchange = rfcExchange(new ScramClientExchange.Secret.Password("pencil"));
            exchange.clientFirstMessage();
            exchange.clientFinalMessage(ascii(SERVER_FIRST));
            assertThatThrownBy(() -> exchange.verifyServerFinal(ascii(bad)))
                    .as(bad).isInstanceOf(ScramException.class);
        }
    }

    @Test
    void malformedServerFirstMessagesAreRefused() {
        String nonce = "r=" + CLIENT_NONCE + "abc";
        String[][] cases = {
            {"", "expected attribute 'r'"},
            {"m=ext," + nonce + ",s=QUJD,i=4096", "extension"},
            {"r=someoneElsesNonce123,s=QUJD,i=4096", "nonce"},
            {"r=" + CLIENT_NONCE + ",s=QUJD,i=4096", "nonce"},
            {nonce + ",i=4096,s=QUJD", "expected attribute 's'"},
            {nonce + ",s=not*base64,i=4096", "not base64"},
            {nonce + ",s=,i=4096", "salt is empty"},
            {nonce + ",s=QUJD,i=4095", "outside"},
            {nonce + ",s=QUJD,i=10000001", "outside"},
            {nonce + ",s=QUJD,i=99999999999", "invalid iteration count"},
            {nonce + ",s=QUJD,i=-4096", "invalid iteration count"},
            {nonce + ",s=QUJD,i=", "invalid iteration count"},
            {nonce + ",s=QUJD", "attribute 'i' is missing"},
            {nonce + ",s=QUJD,i=4096,x=extra", "unexpected data"},
            {nonce + "\u00e9,s=QUJD,i=4096", "outside printable ASCII"},
        };
        for (String[] c : cases) {
            ScramClientExchange exchange = rfcExchange(new ScramClientExchange.Secret.Password("pencil"));
            exchange.clientFirstMessage();
            assertThatThrownBy(() -> exchange.clientFinalMessage(c[0].getBytes(StandardCharsets.UTF_8)))
                    .as(c[0]).isInstanceOf(ScramException.class).hasMessageContaining(c[1]);
        }
    }

    @Test
    void messagesOutOfOrderAreRefused() {
        ScramClientExchange exchange = rfcExchange(new ScramClientExchange.Secret.Password("pencil"));
        assertThatThrownBy(() -> exchange.clientFinalMessage(ascii(SERVER_FIRST))).isInstanceOf(IllegalStateException.class);
        exchange.clientFirstMessage();
        assertThatThrownBy(() -> exchange.verifyServerFinal(ascii(SERVER_FINAL))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void secretsDoNotAppearInToString() {
        assertThat(new ScramClientExchange.Secret.Password("hunter2").toString()).doesNotContain("hunter2");
        assertThat(new ScramClientExchange.Secret.Keys(new byte[32], new byte[32]).toString()).isEqualTo("Keys[***]");
    }
}
