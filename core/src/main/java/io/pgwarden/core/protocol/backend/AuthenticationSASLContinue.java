package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/** AuthenticationSASLContinue: a SASL challenge (for SCRAM, the server-first-message). The array is not copied. */
public record AuthenticationSASLContinue(byte[] data) implements Authentication {

    public AuthenticationSASLContinue {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public int authenticationCode() {
        return SASL_CONTINUE;
    }

    @Override
    public void encode(ByteBuf out) {
        AuthenticationFrames.encodeData(out, SASL_CONTINUE, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthenticationSASLContinue other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "AuthenticationSASLContinue[<" + data.length + " bytes>]";
    }
}
