package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;

/** AuthenticationKerberosV5: Kerberos V5 is required (no longer supported by PostgreSQL). */
public record AuthenticationKerberosV5() implements Authentication {

    public static final AuthenticationKerberosV5 INSTANCE = new AuthenticationKerberosV5();

    @Override
    public int authenticationCode() {
        return KERBEROS_V5;
    }

    @Override
    public void encode(ByteBuf out) {
        AuthenticationFrames.encodeCode(out, KERBEROS_V5);
    }
}
