package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;

/** AuthenticationSSPI: SSPI authentication is required. */
public record AuthenticationSSPI() implements Authentication {

    public static final AuthenticationSSPI INSTANCE = new AuthenticationSSPI();

    @Override
    public int authenticationCode() {
        return SSPI;
    }

    @Override
    public void encode(ByteBuf out) {
        AuthenticationFrames.encodeCode(out, SSPI);
    }
}
