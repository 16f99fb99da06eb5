package io.pgwarden.core.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgwarden.core.protocol.frontend.SaslInitialResponse;
import io.pgwarden.scram.Md5Password;
import io.pgwarden.scram.ScramSha256;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class CredentialResponderTest {

    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    private static CredentialResponder responder(Credential credential) {
        return new CredentialResponder(new BackendLogin("pg", "db", "alice", credential, Map.of(), List.of()), Runnable::run);
    }

    private static byte[] sent(CompletionStage<ByteBuf> stage) {
        ByteBuf buf = stage.toCompletableFuture().join();
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    private static BackendException failure(CompletionStage<ByteBuf> stage) {
        CompletableFuture<ByteBuf> future = stage.toCompletableFuture();
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return (BackendException) e.getCause();
        }
    }

    private static byte[] passwordMessage(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[1 + 4 + body.length + 1];
        message[0] = 'p';
        int length = 4 + body.length + 1;
        message[1] = (byte) (length >>> 24);
        message[2] = (byte) (length >>> 16);
        message[3] = (byte) (length >>> 8);
        message[4] = (byte) length;
        System.arraycopy(body, 0, message, 5, body.length);
        return message;
    }

    @Test
    void cleartextSendsThePasswordNulTerminated() {
        assertThat(sent(responder(Credential.password("s\u00e9cret")).answer(new AuthRequest.CleartextPassword(), ALLOC)))
                .isEqualTo(passwordMessage("s\u00e9cret"));
    }

    @Test
    void md5SendsTheSaltedHash() {
        assertThat(sent(responder(Credential.password("postgres")).answer(new AuthRequest.Md5Password(new byte[] {1, 2, 3, 4}), ALLOC)))
                .isEqualTo(passwordMessage(Md5Password.answer("alice", "postgres", new byte[] {1, 2, 3, 4})));
    }

    @Test
    void loginWithoutPasswordFailsClearlyForEveryPasswordMethod() {
        List<AuthRequest> requests = List.of(new AuthRequest.CleartextPassword(), new AuthRequest.Md5Password(new byte[4]),
                new AuthRequest.Sasl(List.of("SCRAM-SHA-256"), null));
        for (AuthRequest request : requests) {
            BackendException failure = failure(responder(Credential.none()).answer(request, ALLOC));
            assertThat(failure.sqlState()).isEqualTo("08001");
            assertThat(failure.message()).startsWith("backend pg asks for a password for user alice but the login has none");
        }
        assertThat(failure(responder(new Credential.ClientCertificate("c", "k")).answer(new AuthRequest.CleartextPassword(), ALLOC))
                .message()).contains("only a client certificate");
        assertThat(failure(responder(new Credential.ScramKeys(new byte[32], new byte[32]))
                .answer(new AuthRequest.Md5Password(new byte[4]), ALLOC)).message()).contains("only SCRAM keys");
    }

    @Test
    void scramPlusIsChosenOnlyWithBindingDataAndWhenTheServerOffersIt() {
        assertThat(mechanism(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), new byte[32])).isEqualTo("SCRAM-SHA-256-PLUS");
        assertThat(mechanism(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), null)).isEqualTo("SCRAM-SHA-256");
        assertThat(mechanism(List.of("SCRAM-SHA-256"), new byte[32])).isEqualTo("SCRAM-SHA-256");
    }

    private static String mechanism(List<String> offered, byte[] binding) {
        ByteBuf buf = responder(Credential.password("x")).answer(new AuthRequest.Sasl(offered, binding), ALLOC)
                .toCompletableFuture().join();
        try {
            assertThat(buf.getByte(0)).isEqualTo((byte) 'p');
            return SaslInitialResponse.decode(buf.skipBytes(5)).mechanism();
        } finally {
            buf.release();
        }
    }

    @Test
    void unsupportedMechanismsAreRefused() {
        BackendException failure = failure(responder(Credential.password("x"))
                .answer(new AuthRequest.Sasl(List.of("OAUTHBEARER"), null), ALLOC));
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).contains("OAUTHBEARER");
    }

    @Test
    void saslMessagesOutOfOrderAreProtocolViolations() {
        assertThat(failure(responder(Credential.password("x")).answer(new AuthRequest.SaslContinue(new byte[1]), ALLOC))
                .sqlState()).isEqualTo("08P01");
        assertThat(failure(responder(Credential.password("x")).answer(new AuthRequest.SaslFinal(new byte[1]), ALLOC))
                .sqlState()).isEqualTo("08P01");
        CredentialResponder started = responder(Credential.password("x"));
        sent(started.answer(new AuthRequest.Sasl(List.of("SCRAM-SHA-256"), null), ALLOC));
        assertThat(failure(started.answer(new AuthRequest.SaslFinal(new byte[1]), ALLOC)).sqlState()).isEqualTo("08P01");
        assertThat(failure(started.answer(new AuthRequest.Sasl(List.of("SCRAM-SHA-256"), null), ALLOC)).sqlState())
                .isEqualTo("08P01");
    }

    @Test
    void fullScramExchangeAgainstAServerThatKnowsThePassword() {
        CredentialResponder responder = responder(Credential.password("pencil"));
        ByteBuf first = responder.answer(new AuthRequest.Sasl(List.of("SCRAM-SHA-256"), null), ALLOC).toCompletableFuture().join();
        String clientFirst = new String(SaslInitialResponse.decode(first.skipBytes(5)).data(), StandardCharsets.US_ASCII);
        first.release();
        String clientNonce = clientFirst.substring("n,,n=,r=".length());
        byte[] salt = "salty".getBytes(StandardCharsets.US_ASCII);
        String serverFirst = "r=" + clientNonce + "SERVER,s=" + Base64.getEncoder().encodeToString(salt) + ",i=4096";
        ByteBuf finalMessage = responder.answer(new AuthRequest.SaslContinue(serverFirst.getBytes(StandardCharsets.US_ASCII)), ALLOC)
                .toCompletableFuture().join();
        byte[] body = new byte[finalMessage.readableBytes() - 5];
        finalMessage.getBytes(5, body);
        finalMessage.release();
        String clientFinal = new String(body, StandardCharsets.US_ASCII);
        String withoutProof = clientFinal.substring(0, clientFinal.indexOf(",p="));
        assertThat(withoutProof).isEqualTo("c=biws,r=" + clientNonce + "SERVER");

        // The server's side of RFC 5802, from the password it stored.
        byte[] salted = ScramSha256.hi("pencil".getBytes(StandardCharsets.US_ASCII), salt, 4096);
        String authMessage = "n=,r=" + clientNonce + "," + serverFirst + "," + withoutProof;
        byte[] clientKey = ScramSha256.clientKey(salted);
        byte[] expectedProof = ScramSha256.xor(clientKey, ScramSha256.hmac(ScramSha256.sha256(clientKey), authMessage));
        assertThat(clientFinal).endsWith(",p=" + Base64.getEncoder().encodeToString(expectedProof));
        String serverFinal = "v=" + Base64.getEncoder().encodeToString(
                ScramSha256.hmac(ScramSha256.serverKey(salted), authMessage));
        assertThat(responder.answer(new AuthRequest.SaslFinal(serverFinal.getBytes(StandardCharsets.US_ASCII)), ALLOC)
                .toCompletableFuture().join()).isNull();
    }

    @Test
    void wrongServerSignatureFailsTheStage() {
        CredentialResponder responder = responder(Credential.password("pencil"));
        ByteBuf first = responder.answer(new AuthRequest.Sasl(List.of("SCRAM-SHA-256"), null), ALLOC).toCompletableFuture().join();
        String clientNonce = new String(SaslInitialResponse.decode(first.skipBytes(5)).data(), StandardCharsets.US_ASCII)
                .substring("n,,n=,r=".length());
        first.release();
        String serverFirst = "r=" + clientNonce + "S,s=c2FsdA==,i=4096";
        responder.answer(new AuthRequest.SaslContinue(serverFirst.getBytes(StandardCharsets.US_ASCII)), ALLOC)
                .toCompletableFuture().join().release();
        BackendException failure = failure(responder.answer(new AuthRequest.SaslFinal(
                ("v=" + Base64.getEncoder().encodeToString(new byte[32])).getBytes(StandardCharsets.US_ASCII)), ALLOC));
        assertThat(failure.sqlState()).isEqualTo("08P01");
        assertThat(failure.message()).contains("signature is wrong");
    }

    @Test
    void keyDerivationRunsOnTheGivenExecutor() {
        List<Runnable> tasks = new java.util.ArrayList<>();
        CredentialResponder responder = new CredentialResponder(
                new BackendLogin("pg", "db", "alice", Credential.password("pencil"), Map.of(), List.of()), tasks::add);
        ByteBuf first = responder.answer(new AuthRequest.Sasl(List.of("SCRAM-SHA-256"), null), ALLOC).toCompletableFuture().join();
        String clientNonce = new String(SaslInitialResponse.decode(first.skipBytes(5)).data(), StandardCharsets.US_ASCII)
                .substring("n,,n=,r=".length());
        first.release();
        CompletableFuture<ByteBuf> clientFinal = responder.answer(new AuthRequest.SaslContinue(
                ("r=" + clientNonce + "S,s=c2FsdA==,i=4096").getBytes(StandardCharsets.US_ASCII)), ALLOC).toCompletableFuture();
        assertThat(clientFinal).isNotDone();
        assertThat(tasks).hasSize(1);
        tasks.get(0).run();
        clientFinal.join().release();
    }

    @Test
    void lowIterationCountFailsTheStage() {
        CredentialResponder responder = responder(Credential.password("pencil"));
        ByteBuf first = responder.answer(new AuthRequest.Sasl(List.of("SCRAM-SHA-256"), null), ALLOC).toCompletableFuture().join();
        String clientNonce = new String(SaslInitialResponse.decode(first.skipBytes(5)).data(), StandardCharsets.US_ASCII)
                .substring("n,,n=,r=".length());
        first.release();
        CompletionStage<ByteBuf> stage = responder.answer(new AuthRequest.SaslContinue(
                ("r=" + clientNonce + "S,s=c2FsdA==,i=1").getBytes(StandardCharsets.US_ASCII)), ALLOC);
        assertThat(failure(stage).message()).contains("iteration count 1");
    }

    private static final String MD5_HASH = Md5Password.hash("alice", "postgres");

    @Test
    void md5HashAnswersAnMd5RequestLikeThePasswordWould() {
        for (byte[] salt : List.of(new byte[] {1, 2, 3, 4}, new byte[] {(byte) 0xff, 0, (byte) 0x80, 0x7f})) {
            byte[] fromHash = sent(responder(new Credential.Md5Hash(MD5_HASH)).answer(new AuthRequest.Md5Password(salt), ALLOC));
            byte[] fromPassword = sent(responder(Credential.password("postgres")).answer(new AuthRequest.Md5Password(salt), ALLOC));
            assertThat(fromHash).isEqualTo(fromPassword)
                    .isEqualTo(passwordMessage(Md5Password.answerFromHash(MD5_HASH, salt)));
        }
    }

    @Test
    void md5HashOfAnotherUserGivesAWrongAnswer() {
        // The hash is salted with the user name: a hash stored for bob does not answer for alice.
        byte[] salt = {1, 2, 3, 4};
        assertThat(sent(responder(new Credential.Md5Hash(Md5Password.hash("bob", "postgres")))
                .answer(new AuthRequest.Md5Password(salt), ALLOC)))
                .isNotEqualTo(passwordMessage(Md5Password.answer("alice", "postgres", salt)));
    }

    @Test
    void md5HashCannotAnswerScramOrCleartextAndTheFatalNamesTheFix() {
        List<AuthRequest> requests = List.of(new AuthRequest.Sasl(List.of("SCRAM-SHA-256"), null),
                new AuthRequest.Sasl(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), new byte[32]),
                new AuthRequest.CleartextPassword());
        for (AuthRequest request : requests) {
            BackendException failure = failure(responder(new Credential.Md5Hash(MD5_HASH)).answer(request, ALLOC));
            assertThat(failure.sqlState()).as(request.toString()).isEqualTo("28000");
            assertThat(failure.message()).as(request.toString())
                    .startsWith("backend pg asks for " + (request instanceof AuthRequest.Sasl ? "SCRAM" : "cleartext")
                            + " authentication for user alice, but pgwarden knows only the md5 hash of that user's password")
                    .doesNotContain(MD5_HASH, MD5_HASH.substring(3));
            assertThat(failure.serverError()).as(request.toString()).hasValueSatisfying(error -> {
                assertThat(error.severity()).isEqualTo("FATAL");
                assertThat(error.sqlState()).isEqualTo("28000");
                assertThat(error.message()).isEqualTo(failure.message());
                assertThat(error.hint()).isEqualTo("Store the user's SCRAM verifier (or the password) in pgwarden's userlist "
                        + "or auth_query source, or let the backend use md5 for this user.");
            });
        }
    }

    @Test
    void otherCredentialsFailWithoutAHint() {
        BackendException failure = failure(responder(Credential.none()).answer(new AuthRequest.Md5Password(new byte[4]), ALLOC));
        assertThat(failure.serverError()).isEmpty();
    }

    @Test
    void md5HashMustLookLikeWhatPostgresStores() {
        for (String bad : List.of("", "postgres", MD5_HASH.toUpperCase(java.util.Locale.ROOT), MD5_HASH + "0",
                MD5_HASH.substring(0, 34), "md5" + "0".repeat(31) + "\u0663", "SCRAM-SHA-256$4096:c2FsdA==$a:b")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Credential.Md5Hash(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an md5 hash is 'md5' followed by 32 lower-case hex digits");
        }
        assertThat(new Credential.Md5Hash(MD5_HASH).toString()).isEqualTo("Md5Hash[***]");
    }
}
