package io.pgwarden.plugin.scram;

import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.testkit.spi.TestSession;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An {@link AuthExchange} for unit tests: the "client" is a set of functions, and every request the
 * authenticator makes is recorded in order. Not the wire protocol: the end-to-end tests use the core.
 */
final class FakeExchange implements AuthExchange {

    static final byte[] CERTIFICATE_HASH = "the proxy's certificate hash, 32b".getBytes(StandardCharsets.US_ASCII);

    final List<String> requests = new ArrayList<>();
    final List<byte[]> challenges = new ArrayList<>();
    byte[] saslFinal;
    byte[] md5Salt;

    String user = "alice";
    String database = "appdb";
    String address = "192.0.2.7";
    boolean tls;
    byte[] channelBinding = CERTIFICATE_HASH;
    Map<String, String> ruleOptions = new HashMap<>();
    BackendLogin defaultLogin;

    Function<List<String>, SaslInitial> onSaslStart = mechanisms -> {
        throw new AssertionError("SASL not expected");
    };
    Function<byte[], byte[]> onSaslContinue = challenge -> {
        throw new AssertionError("SASLContinue not expected");
    };
    Function<byte[], byte[]> onMd5 = salt -> {
        throw new AssertionError("md5 not expected");
    };
    Supplier<byte[]> onCleartext = () -> {
        throw new AssertionError("cleartext not expected");
    };

    FakeExchange user(String name) {
        this.user = name;
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

    /** The client speaks SCRAM with the given client and mechanism. */
    FakeExchange scram(String mechanism, ScramTestClient client) {
        onSaslStart = mechanisms -> new SaslInitial(mechanism, client.clientFirst());
        onSaslContinue = client::clientFinal;
        return this;
    }

    /** The client sends fixed SCRAM messages. */
    FakeExchange scramMessages(String mechanism, String clientFirst, String clientFinal) {
        onSaslStart = mechanisms -> new SaslInitial(mechanism, clientFirst.getBytes(StandardCharsets.UTF_8));
        onSaslContinue = challenge -> clientFinal.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    FakeExchange cleartext(String password) {
        onCleartext = () -> password.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    @Override
    public SessionContext session() {
        return TestSession.of(user, database, new InetSocketAddress(address, 40000 + requests.size()), tls);
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
        return defaultLogin != null ? defaultLogin : new BackendLogin("pg", database, user, Credential.none(), Map.of(), List.of());
    }

    @Override
    public CompletionStage<byte[]> cleartextPassword() {
        requests.add("Cleartext");
        return answer(() -> onCleartext.get());
    }

    @Override
    public CompletionStage<byte[]> md5Password(byte[] salt) {
        requests.add("MD5");
        md5Salt = salt.clone();
        return answer(() -> onMd5.apply(salt));
    }

    @Override
    public CompletionStage<SaslInitial> saslStart(List<String> mechanisms) {
        requests.add("SASL " + mechanisms);
        return answer(() -> onSaslStart.apply(mechanisms));
    }

    @Override
    public CompletionStage<byte[]> saslContinue(byte[] challenge) {
        requests.add("SASLContinue");
        challenges.add(challenge.clone());
        return answer(() -> onSaslContinue.apply(challenge));
    }

    @Override
    public void saslFinal(byte[] outcome) {
        requests.add("SASLFinal");
        saslFinal = outcome.clone();
    }

    @Override
    public Optional<byte[]> tlsServerEndPoint() {
        return tls ? Optional.of(channelBinding.clone()) : Optional.empty();
    }

    private static <T> CompletionStage<T> answer(Supplier<T> client) {
        try {
            return CompletableFuture.completedFuture(client.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A server-first message as text. */
    String challengeText(int index) {
        return new String(challenges.get(index), StandardCharsets.UTF_8);
    }

    List<String> requests() {
        return new ArrayList<>(requests);
    }
}
