package io.pgwarden.core.protocol.frontend;

import static io.pgwarden.core.protocol.CodecAssertions.assertIllegalArgument;
import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.assertTrailingByteRejected;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Query, CopyFail, and the bodiless Terminate, Sync and Flush. */
class SimpleFrontendMessagesTest {

    @Test
    void queryIsTheSqlWithTerminator() {
        byte[] expected = wire().type('Q').int32(13).string("select 1").toArray();
        assertMessage(new Query("select 1"), Query::encode, Query::decode, expected);
    }

    @Test
    void queryKeepsMultibyteText() {
        byte[] expected = wire().type('Q').int32(4 + 12).string("select 'é'").toArray();
        assertMessage(new Query("select 'é'"), Query::encode, Query::decode, expected);
    }

    @Test
    void queryRejectsNulInsideTheText() {
        decodeRejects(wire().string("select 1").string("drop table t").toArray(), Query::decode);
        assertIllegalArgument(() -> new Query("select 1\0drop").encode(Unpooled.buffer()));
    }

    @Test
    void copyFailCarriesTheReason() {
        byte[] expected = wire().type('f').int32(4 + 8).string("aborted").toArray();
        assertMessage(new CopyFail("aborted"), CopyFail::encode, CopyFail::decode, expected);
    }

    @Test
    void terminateIsTypeAndLengthFour() {
        byte[] expected = wire().type('X').int32(4).toArray();
        assertMessage(Terminate.INSTANCE, Terminate::encode, Terminate::decode, expected);
    }

    @Test
    void syncIsTypeAndLengthFour() {
        byte[] expected = wire().type('S').int32(4).toArray();
        assertMessage(Sync.INSTANCE, Sync::encode, Sync::decode, expected);
    }

    @Test
    void flushIsTypeAndLengthFour() {
        byte[] expected = wire().type('H').int32(4).toArray();
        assertMessage(Flush.INSTANCE, Flush::encode, Flush::decode, expected);
    }

    @Test
    void bodilessMessagesRejectABody() {
        assertTrailingByteRejected(new byte[0], Terminate::decode);
        assertThat(decodeRejects(new byte[] {1, 2}, Sync::decode)).hasMessageContaining("Sync");
    }
}
