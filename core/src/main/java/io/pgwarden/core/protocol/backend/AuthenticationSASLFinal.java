package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * AuthenticationSASLFinal: the SASL outcome's additional data (for SCRAM, the
 * server-final-message). The array is not copied.
 */
public record AuthenticationSASLFinal(byte[] data) implements Authentication {

    public AuthenticationSASLFinal {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public int authenticationCode() {
        return SASL_FINAL;
    }

    @Override
    public void encode(ByteBuf out) {
        AuthenticationFrames.encodeData(out, SASL_FINAL, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthenticationSASLFinal other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "AuthenticationSASLFinal[<" + data.length + " bytes>]";
    }
}
