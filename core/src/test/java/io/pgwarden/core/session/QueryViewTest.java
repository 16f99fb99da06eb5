package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.spi.QueryContext.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QueryViewTest {

    private static QueryView view(Kind kind, ByteBuf payload) {
        return new QueryView(null, kind, payload);
    }

    private static ByteBuf cstrings(String... values) {
        ByteBuf buf = Unpooled.buffer();
        for (String value : values) {
            buf.writeCharSequence(value, StandardCharsets.UTF_8);
            buf.writeByte(0);
        }
        return buf;
    }

    @Test
    void wellFormedQueryAndParsePass() {
        assertThatCode(() -> view(Kind.SIMPLE, cstrings("SELECT 1")).validate()).doesNotThrowAnyException();
        ByteBuf parse = cstrings("s1", "SELECT $1").writeShort(1).writeInt(23);
        assertThatCode(() -> view(Kind.PARSE, parse).validate()).doesNotThrowAnyException();
    }

    @Test
    void queryWithoutItsTerminatorOrWithAnInnerZeroIsRefused() {
        ByteBuf unterminated = Unpooled.copiedBuffer("SELECT 1", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> view(Kind.SIMPLE, unterminated).validate()).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> view(Kind.SIMPLE, cstrings("SELECT 1", "x")).validate()).isInstanceOf(ProtocolException.class);
    }

    @Test
    void parseWhoseTypeCountLiesIsRefused() {
        assertThatThrownBy(() -> view(Kind.PARSE, cstrings("", "DROP TABLE t").writeShort(5)).validate())
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> view(Kind.PARSE, cstrings("only-a-name")).validate()).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> view(Kind.PARSE, cstrings("s", "SELECT 1").writeShort(0).writeByte(7)).validate())
                .isInstanceOf(ProtocolException.class);
    }
}
