package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.testkit.spi.TestSession;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An {@link AuthExchange} for unit tests (adapted from auth-scram's): the "client" answers a
 * cleartext request with a fixed password, and every request the authenticator makes is recorded.
 * The bytes handed out are kept, so a test can check that the authenticator cleared them.
 */
final class FakeExchange implements AuthExchange {

    final List<String> requests = new ArrayList<>();
    final List<byte[]> handedOut = new ArrayList<>();
    /** The challenges sent with saslContinue, in order. */
    final List<byte[]> challenges = new ArrayList<>();
    /** The client's SASL answers: the initial response first (null for none), then each SASLResponse. */
    private final Deque<Optional<byte[]>> saslAnswers = new ArrayDeque<>();
    private String saslMechanism = "OAUTHBEARER";

    String user = "alice";
    String database = "appdb";
    boolean tls;
    Map<String, String> ruleOptions = new HashMap<>();
    BackendLogin defaultLogin = new BackendLogin("pg", "appdb", "alice", Credential.none(), Map.of("client_encoding", "UTF8"), List.of());
    private String password;

    FakeExchange user(String name) {
        this.user = name;
        return this;
    }

    FakeExchange database(String name) {
        this.database = name;
        return this;
    }

    FakeExchange tls() {
        this.tls = true;
        return this;
    }

    FakeExchange option(String key, String value) {
        ruleOptions.put(key, value);
        return this;
    }

    FakeExchange cleartext(String value) {
        this.password = value;
        return this;
    }

    /**
     * Scripts the client's SASL side.
     *
     * @param mechanism the mechanism the client chooses
     * @param initialResponse the initial response, or null for none
     * @param responses the SASLResponses that follow, one per challenge
     * @return this
     */
    FakeExchange sasl(String mechanism, byte[] initialResponse, byte[]... responses) {
        this.saslMechanism = mechanism;
        saslAnswers.add(Optional.ofNullable(initialResponse));
        for (byte[] response : responses) {
            saslAnswers.add(Optional.of(response));
        }
        return this;
    }

    @Override
    public SessionContext session() {
        return TestSession.of(user, database, new InetSocketAddress("192.0.2.7", 40000), tls);
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String database() {
        return database;
    }

    @Override
    public Map<String, String> ruleOptions() {
        return Map.copyOf(ruleOptions);
    }

    @Override
    public BackendLogin defaultLogin() {
        return defaultLogin;
    }

    @Override
    public CompletionStage<byte[]> cleartextPassword() {
        requests.add("Cleartext");
        if (password == null) {
            return CompletableFuture.failedFuture(new AssertionError("cleartext not expected"));
        }
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        handedOut.add(bytes);
        return CompletableFuture.completedFuture(bytes);
    }

    @Override
    public CompletionStage<byte[]> md5Password(byte[] salt) {
        requests.add("MD5");
        return CompletableFuture.failedFuture(new AssertionError("md5 not expected"));
    }

    @Override
    public CompletionStage<SaslInitial> saslStart(List<String> mechanisms) {
        requests.add("SASL " + mechanisms);
        if (saslAnswers.isEmpty()) {
            return CompletableFuture.failedFuture(new AssertionError("SASL not expected"));
        }
        byte[] initial = saslAnswers.poll().orElse(null);
        if (initial != null) {
            handedOut.add(initial);
        }
        return CompletableFuture.completedFuture(new SaslInitial(saslMechanism, initial));
    }

    @Override
    public CompletionStage<byte[]> saslContinue(byte[] challenge) {
        requests.add("SASLContinue");
        challenges.add(challenge.clone());
        if (saslAnswers.isEmpty()) {
            return CompletableFuture.failedFuture(new AssertionError("SASLContinue not expected"));
        }
        byte[] response = saslAnswers.poll().orElseThrow();
        handedOut.add(response);
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public void saslFinal(byte[] outcome) {
        requests.add("SASLFinal");
    }

    @Override
    public Optional<byte[]> tlsServerEndPoint() {
        return Optional.empty();
    }

    List<String> requests() {
        return new ArrayList<>(requests);
    }
}
