package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;

/** AuthenticationGSS: GSSAPI authentication is required. */
public record AuthenticationGSS() implements Authentication {

    public static final AuthenticationGSS INSTANCE = new AuthenticationGSS();

    @Override
    public int authenticationCode() {
        return GSS;
    }

    @Override
    public void encode(ByteBuf out) {
        AuthenticationFrames.encodeCode(out, GSS);
    }
}
