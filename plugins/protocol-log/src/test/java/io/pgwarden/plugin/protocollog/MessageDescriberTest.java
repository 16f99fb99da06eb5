package io.pgwarden.plugin.protocollog;

import static io.pgwarden.plugin.protocollog.Payload.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.spi.MessageContext.Direction;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class MessageDescriberTest {

    private final MessageDescriber describer = new MessageDescriber(1000);

    private String frontend(char type, Payload payload) {
        return describer.describe(Direction.FRONTEND, type, payload.buffer());
    }

    private String backend(char type, Payload payload) {
        return describer.describe(Direction.BACKEND, type, payload.buffer());
    }

    @Test
    void simpleQueryShowsItsText() {
        assertThat(frontend('Q', body().cstring("SELECT 1"))).isEqualTo("→ Query(query=\"SELECT 1\")");
    }

    @Test
    void queryWithAPasswordIsRedacted() {
        assertThat(frontend('Q', body().cstring("ALTER ROLE app PASSWORD 'Tr0ub4dor&3'")))
                .isEqualTo("→ Query(query=\"ALTER ROLE app PASSWORD '[redacted]'\")")
                .doesNotContain("Tr0ub4dor");
    }

    @Test
    void longQueryIsTruncatedAfterRedaction() {
        MessageDescriber short10 = new MessageDescriber(10);
        assertThat(short10.describe(Direction.FRONTEND, 'Q', body().cstring("SELECT * FROM big_table").buffer()))
                .isEqualTo("→ Query(query=\"SELECT * F…\")");
        assertThat(short10.describe(Direction.FRONTEND, 'Q', body().cstring("ALTER ROLE a PASSWORD 'abcdefghij'").buffer()))
                .doesNotContain("abc");
    }

    @Test
    void newlinesAndQuotesInSqlCannotBreakTheLogLine() {
        assertThat(frontend('Q', body().cstring("SELECT \"x\"\nFROM t\r\n-- \u0007")))
                .isEqualTo("→ Query(query=\"SELECT \\\"x\\\"\\nFROM t\\r\\n-- \\u0007\")");
    }

    @Test
    void passwordMessageIsNeverShown() {
        String line = frontend('p', body().cstring("my-password"));
        assertThat(line).isEqualTo("→ PasswordMessage([redacted])");
    }

    @Test
    void saslInitialResponseIsNeverShown() {
        String line = frontend('p', body().cstring("SCRAM-SHA-256").int32(9).raw("n,,n=,r=x".getBytes()));
        assertThat(line).isEqualTo("→ PasswordMessage([redacted])").doesNotContain("SCRAM");
    }

    @Test
    void parseShowsStatementNameTextAndParameterCount() {
        assertThat(frontend('P', body().cstring("s1").cstring("SELECT $1::int").int16(1).int32(23)))
                .isEqualTo("→ Parse(statement=\"s1\", query=\"SELECT $1::int\", parameterTypes=1)");
    }

    @Test
    void bindShowsNamesAndParameterCountButNeverValues() {
        Payload bind = body().cstring("").cstring("s1")
                .int16(1).int16(0)
                .int16(2).int32(6).raw("secret".getBytes()).int32(-1)
                .int16(0);
        assertThat(frontend('B', bind)).isEqualTo("→ Bind(portal=\"\", statement=\"s1\", parameters=2)");
    }

    @Test
    void executeDescribeAndCloseShowTheirTargets() {
        assertThat(frontend('E', body().cstring("p1").int32(50))).isEqualTo("→ Execute(portal=\"p1\", maxRows=50)");
        assertThat(frontend('D', body().int8('S').cstring("s1"))).isEqualTo("→ Describe(statement=\"s1\")");
        assertThat(frontend('D', body().int8('P').cstring(""))).isEqualTo("→ Describe(portal=\"\")");
        assertThat(frontend('C', body().int8('S').cstring("s2"))).isEqualTo("→ Close(statement=\"s2\")");
        assertThat(frontend('S', body())).isEqualTo("→ Sync(length=0)");
    }

    @Test
    void copyDataShowsOnlyItsLength() {
        assertThat(frontend('d', body().raw("1\tsecret\n".getBytes()))).isEqualTo("→ CopyData(length=9)");
        assertThat(backend('d', body().raw("abc".getBytes()))).isEqualTo("← CopyData(length=3)");
    }

    @Test
    void rowDescriptionListsFieldNames() {
        Payload fields = body().int16(2)
                .cstring("id").int32(16384).int16(1).int32(23).int16(4).int32(-1).int16(0)
                .cstring("name").int32(16384).int16(2).int32(25).int16(-1).int32(-1).int16(0);
        assertThat(backend('T', fields)).isEqualTo("← RowDescription(fields=[id, name])");
    }

    @Test
    void dataRowShowsOnlyTheColumnCount() {
        assertThat(backend('D', body().int16(2).int32(1).raw((byte) '1').int32(5).raw("alice".getBytes())))
                .isEqualTo("← DataRow(columns=2)");
    }

    @Test
    void commandCompleteAndReadyForQuery() {
        assertThat(backend('C', body().cstring("SELECT 1"))).isEqualTo("← CommandComplete(tag=SELECT 1)");
        assertThat(backend('Z', body().int8('I'))).isEqualTo("← ReadyForQuery(status=IDLE)");
        assertThat(backend('Z', body().int8('T'))).isEqualTo("← ReadyForQuery(status=IN_TRANSACTION)");
        assertThat(backend('Z', body().int8('E'))).isEqualTo("← ReadyForQuery(status=FAILED)");
    }

    @Test
    void errorResponseShowsSeverityCodeAndMessage() {
        Payload error = body()
                .int8('S').cstring("ERROR").int8('V').cstring("ERROR").int8('C').cstring("42P01")
                .int8('M').cstring("relation \"nope\" does not exist").int8('P').cstring("15")
                .int8(0);
        assertThat(backend('E', error))
                .isEqualTo("← ErrorResponse(severity=ERROR, code=42P01, message=\"relation \\\"nope\\\" does not exist\")");
    }

    @Test
    void noticeUsesTheUnlocalizedSeverity() {
        Payload notice = body().int8('S').cstring("AVISO").int8('V').cstring("NOTICE").int8('C').cstring("00000")
                .int8('M').cstring("hi").int8(0);
        assertThat(backend('N', notice)).isEqualTo("← NoticeResponse(severity=NOTICE, code=00000, message=\"hi\")");
    }

    @Test
    void parameterStatusAndNotification() {
        assertThat(backend('S', body().cstring("TimeZone").cstring("UTC"))).isEqualTo("← ParameterStatus(name=TimeZone, value=UTC)");
        assertThat(backend('A', body().int32(4242).cstring("jobs").cstring("payload")))
                .isEqualTo("← NotificationResponse(pid=4242, channel=jobs)");
    }

    @Test
    void backendKeyDataHidesTheSecretKey() {
        assertThat(backend('K', body().int32(77).int32(0x12345678)))
                .isEqualTo("← BackendKeyData(pid=77, key=[redacted])")
                .doesNotContain(String.valueOf(0x12345678));
    }

    @Test
    void saslExchangeShowsMechanismsButNoPayload() {
        assertThat(backend('R', body().int32(10).cstring("SCRAM-SHA-256").cstring("SCRAM-SHA-256-PLUS").cstring("")))
                .isEqualTo("← Authentication(SASL, mechanisms=[SCRAM-SHA-256, SCRAM-SHA-256-PLUS])");
        assertThat(backend('R', body().int32(11).raw("r=nonce,s=salt,i=4096".getBytes())))
                .isEqualTo("← Authentication(SASLContinue, [redacted])");
        assertThat(backend('R', body().int32(0))).isEqualTo("← Authentication(Ok)");
    }

    @Test
    void emptyBackendMessagesHaveNoFields() {
        assertThat(backend('1', body())).isEqualTo("← ParseComplete()");
        assertThat(backend('2', body())).isEqualTo("← BindComplete()");
        assertThat(backend('n', body())).isEqualTo("← NoData()");
    }

    @Test
    void malformedMessagesAreReportedNotThrown() {
        assertThat(frontend('Q', body().raw("no terminator".getBytes())))
                .isEqualTo("→ Query(malformed: string without terminator, length=13)");
        assertThat(backend('D', body().int8(1))).isEqualTo("← DataRow(malformed: message ends early, length=1)");
        assertThat(frontend('B', body().cstring("").cstring("").int16(0).int16(1).int32(-5)))
                .isEqualTo("→ Bind(portal=\"\", statement=\"\", parameters=1)");
        assertThat(frontend('B', body().cstring("").cstring("").int16(0).int16(1).int32(100).raw((byte) 1)))
                .startsWith("→ Bind(malformed: message ends early");
        assertThat(backend('T', body().int16(3).cstring("a"))).startsWith("← RowDescription(malformed:");
    }

    @Test
    void unknownTypesAreNamedByTheirByte() {
        assertThat(frontend('y', body().raw((byte) 1, (byte) 2))).isEqualTo("→ Unknown'y'(length=2)");
        assertThat(backend((char) 0x01, body())).isEqualTo("← Unknown0x01()");
    }

    @Test
    void describingDoesNotMoveTheCallersBuffer() {
        ByteBuffer payload = body().cstring("SELECT 1").buffer();

        describer.describe(Direction.FRONTEND, 'Q', payload);

        assertThat(payload.position()).isZero();
        assertThat(payload.remaining()).isEqualTo(9);
    }
}
