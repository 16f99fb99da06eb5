package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;

/** AuthenticationOk: authentication succeeded. */
public record AuthenticationOk() implements Authentication {

    public static final AuthenticationOk INSTANCE = new AuthenticationOk();

    @Override
    public int authenticationCode() {
        return OK;
    }

    @Override
    public void encode(ByteBuf out) {
        AuthenticationFrames.encodeCode(out, OK);
    }
}
