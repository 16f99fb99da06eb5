package io.pgwarden.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The conversation with a client during authentication, implemented by the core. Each request
 * sends the matching Authentication message and completes with the client's answer; the core
 * checks that the answer is the message the protocol expects and fails the stage with
 * {@link AuthProtocolException} otherwise. Requests must be made one at a time, each after the
 * previous answer; they may be made from any thread (a look-up that completes on a JDBC thread, for
 * instance), and answers complete on the session's event loop.
 *
 * <p>Secrets arrive as byte arrays so that an authenticator can clear them when done.
 */
public interface AuthExchange {

    /**
     * The largest message the core reads from a client before it is authenticated, its length word
     * included: PostgreSQL's {@code PG_MAX_AUTH_TOKEN_LENGTH}, its limit for password messages and
     * the largest limit of its SASL mechanisms. A longer answer (password, md5 password,
     * SASLInitialResponse or SASLResponse) fails the request with {@link AuthMessageLengthException}
     * as soon as its header arrives; its body is never buffered. Since SPI 1.3.
     */
    int MAX_AUTH_MESSAGE_LENGTH = 65_535;

    /**
     * The session being authenticated (startup parameters, client address, TLS facts).
     *
     * @return the session
     */
    SessionContext session();

    /**
     * The user name from the startup packet.
     *
     * @return the user
     */
    String user();

    /**
     * The database from the startup packet (the user name when the client sent none).
     *
     * @return the database
     */
    String database();

    /**
     * Options of the auth rule that chose this method (everything in the rule beside the match
     * keys and {@code method}), as strings.
     *
     * @return the rule's options
     */
    Map<String, String> ruleOptions();

    /**
     * The backend login the rule gives when the authenticator does not choose one.
     *
     * @return the default login
     */
    BackendLogin defaultLogin();

    /**
     * Asks for a cleartext password (AuthenticationCleartextPassword). When an earlier method
     * of this session already asked, completes at once with the same password.
     *
     * @return completes with the password bytes, without the terminating zero; fails with
     *     {@link AuthMessageLengthException} for an answer above {@link #MAX_AUTH_MESSAGE_LENGTH}
     */
    CompletionStage<byte[]> cleartextPassword();

    /**
     * Asks for an md5 password (AuthenticationMD5Password with the salt).
     *
     * @param salt four random bytes
     * @return completes with the client's answer, {@code md5} followed by 32 hex digits; fails with
     *     {@link AuthMessageLengthException} for an answer above {@link #MAX_AUTH_MESSAGE_LENGTH}
     */
    CompletionStage<byte[]> md5Password(byte[] salt);

    /**
     * Offers SASL mechanisms (AuthenticationSASL) and waits for SASLInitialResponse.
     *
     * @param mechanisms mechanism names in order of preference
     * @return completes with the client's choice and initial response; fails with
     *     {@link AuthMessageLengthException} for an answer above {@link #MAX_AUTH_MESSAGE_LENGTH}
     */
    CompletionStage<SaslInitial> saslStart(List<String> mechanisms);

    /**
     * Sends AuthenticationSASLContinue and waits for the client's SASLResponse.
     *
     * @param challenge the server's challenge
     * @return completes with the client's response; fails with {@link AuthMessageLengthException}
     *     for an answer above {@link #MAX_AUTH_MESSAGE_LENGTH}
     */
    CompletionStage<byte[]> saslContinue(byte[] challenge);

    /**
     * Sends AuthenticationSASLFinal. The core sends AuthenticationOk later, after onAuth.
     *
     * @param outcome the server's final message
     */
    void saslFinal(byte[] outcome);

    /**
     * The tls-server-end-point channel binding data of the proxy's certificate as the client
     * sees it (RFC 5929), for SCRAM-SHA-256-PLUS. Empty without TLS.
     *
     * @return the channel binding data
     */
    Optional<byte[]> tlsServerEndPoint();

    /**
     * The client's answer as a SASLInitialResponse.
     *
     * @param mechanism the mechanism the client chose
     * @param initialResponse the initial response, or {@code null} when the client sent none
     */
    record SaslInitial(String mechanism, byte[] initialResponse) {
    }
}
