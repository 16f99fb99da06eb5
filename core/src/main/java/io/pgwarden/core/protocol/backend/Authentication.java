package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;

/**
 * The Authentication ({@code 'R'}) family: an Int32 code says which request or outcome follows.
 * {@link #decode(ByteBuf)} returns the subtype; unknown codes are a {@link ProtocolException}.
 */
public sealed interface Authentication
        permits AuthenticationOk, AuthenticationKerberosV5, AuthenticationCleartextPassword,
                AuthenticationMD5Password, AuthenticationGSS, AuthenticationGSSContinue,
                AuthenticationSSPI, AuthenticationSASL, AuthenticationSASLContinue,
                AuthenticationSASLFinal {

    int OK = 0;
    int KERBEROS_V5 = 2;
    int CLEARTEXT_PASSWORD = 3;
    int MD5_PASSWORD = 5;
    int GSS = 7;
    int GSS_CONTINUE = 8;
    int SSPI = 9;
    int SASL = 10;
    int SASL_CONTINUE = 11;
    int SASL_FINAL = 12;

    /** The Int32 code that identifies this subtype on the wire. */
    int authenticationCode();

    /** Writes the whole message: type byte, length, code, data. */
    void encode(ByteBuf out);

    /** Decodes the body after the length, dispatching on the code. */
    static Authentication decode(ByteBuf payload) {
        int code = PgBuffers.readInt32(payload, AuthenticationFrames.NAME);
        return switch (code) {
            case OK -> AuthenticationFrames.noData(payload, AuthenticationOk.INSTANCE);
            case KERBEROS_V5 -> AuthenticationFrames.noData(payload, AuthenticationKerberosV5.INSTANCE);
            case CLEARTEXT_PASSWORD ->
                    AuthenticationFrames.noData(payload, AuthenticationCleartextPassword.INSTANCE);
            case MD5_PASSWORD -> AuthenticationMD5Password.decodeBody(payload);
            case GSS -> AuthenticationFrames.noData(payload, AuthenticationGSS.INSTANCE);
            case GSS_CONTINUE -> new AuthenticationGSSContinue(PgBuffers.readRemaining(payload));
            case SSPI -> AuthenticationFrames.noData(payload, AuthenticationSSPI.INSTANCE);
            case SASL -> AuthenticationSASL.decodeBody(payload);
            case SASL_CONTINUE -> new AuthenticationSASLContinue(PgBuffers.readRemaining(payload));
            case SASL_FINAL -> new AuthenticationSASLFinal(PgBuffers.readRemaining(payload));
            default -> throw ProtocolException.malformed(AuthenticationFrames.NAME,
                    "unknown authentication request code " + code);
        };
    }
}
