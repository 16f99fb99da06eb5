package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;

/** AuthenticationCleartextPassword: the client must send the password in clear text. */
public record AuthenticationCleartextPassword() implements Authentication {

    public static final AuthenticationCleartextPassword INSTANCE = new AuthenticationCleartextPassword();

    @Override
    public int authenticationCode() {
        return CLEARTEXT_PASSWORD;
    }

    @Override
    public void encode(ByteBuf out) {
        AuthenticationFrames.encodeCode(out, CLEARTEXT_PASSWORD);
    }
}
