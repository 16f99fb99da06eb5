package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeallocateStatementTest {

    private static String name(String sql) {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeBytes("xx".getBytes(StandardCharsets.UTF_8));
            int from = buf.writerIndex();
            buf.writeBytes(sql.getBytes(StandardCharsets.UTF_8));
            int to = buf.writerIndex();
            buf.writeByte(0).writeBytes("yy".getBytes(StandardCharsets.UTF_8));
            return DeallocateStatement.name(buf, from, to);
        } finally {
            buf.release();
        }
    }

    @Test
    void unquotedNamesAreFoldedToLowerCaseAsPostgresqlDoes() {
        assertThat(name("DEALLOCATE S_1")).isEqualTo("s_1");
        assertThat(name("  deallocate a1 ;  ")).isEqualTo("a1");
        assertThat(name("Deallocate\n\tPREPARE\tstmt$2;")).isEqualTo("stmt$2");
    }

    @Test
    void quotedNamesKeepTheirCaseAndDoubledQuotes() {
        assertThat(name("DEALLOCATE \"S_1\"")).isEqualTo("S_1");
        assertThat(name("DEALLOCATE PREPARE \"a \"\"b\"\" c\";")).isEqualTo("a \"b\" c");
        assertThat(name("DEALLOCATE \"caf\u00e9\"")).isEqualTo("caf\u00e9");
    }

    @Test
    void aStatementNamedPrepareIsAName() {
        assertThat(name("DEALLOCATE prepare")).isEqualTo("prepare");
    }

    @Test
    void anythingButOneDeallocateOfOneNameIsLeftToTheServer() {
        assertThat(name("DEALLOCATE ALL")).isNull();
        assertThat(name("DEALLOCATE PREPARE ALL")).isNull();
        assertThat(name("DEALLOCATE a; SELECT 1")).isNull();
        assertThat(name("DEALLOCATE a b")).isNull();
        assertThat(name("DEALLOCATEa")).isNull();
        assertThat(name("DEALLOCATE")).isNull();
        assertThat(name("DEALLOCATE \"unterminated")).isNull();
        assertThat(name("DEALLOCATE \"\"")).isNull();
        assertThat(name("/* c */ DEALLOCATE a")).isNull();
        assertThat(name("SELECT 'DEALLOCATE a'")).isNull();
        assertThat(name("DEALLOCATE 1a")).isNull();
        assertThat(name("")).isNull();
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            if (i % 2 == 0 && bytes.length > 12) {
                System.arraycopy("DEALLOCATE ".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 11);
            }
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            try {
                DeallocateStatement.name(buf, 0, bytes.length);
            } finally {
                buf.release();
            }
        }
    }
}
