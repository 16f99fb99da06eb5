package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/** AuthenticationGSSContinue: GSSAPI or SSPI data for the client. The array is not copied. */
public record AuthenticationGSSContinue(byte[] data) implements Authentication {

    public AuthenticationGSSContinue {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public int authenticationCode() {
        return GSS_CONTINUE;
    }

    @Override
    public void encode(ByteBuf out) {
        AuthenticationFrames.encodeData(out, GSS_CONTINUE, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthenticationGSSContinue other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "AuthenticationGSSContinue[<" + data.length + " bytes>]";
    }
}
