package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.pgwarden.core.pool.PooledServer;
import io.pgwarden.core.pool.PooledServers;
import io.pgwarden.core.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatementMapTest {

    private static final String SELECT = "SELECT * FROM t WHERE id = $1";

    private final RecordingAllocator alloc = new RecordingAllocator();
    private final List<ByteBuf> frames = new ArrayList<>();
    private final List<PooledServer> servers = new ArrayList<>();

    @AfterEach
    void releaseAndCheck() {
        frames.forEach(ByteBuf::release);
        servers.forEach(server -> server.channel().close());
        assertThat(alloc.unreleased()).as("buffers still referenced").isEmpty();
    }

    private PooledServer server() {
        PooledServer server = PooledServers.reporting(Map.of());
        servers.add(server);
        return server;
    }

    // ---- the messages, written independently of the code under test ----

    private static byte[] message(char type, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(part);
        }
        return ByteBuffer.allocate(5 + body.size()).put((byte) type).putInt(4 + body.size()).put(body.toByteArray()).array();
    }

    private static byte[] cstring(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, bytes.length);
        return out;
    }

    private static byte[] int16(int value) {
        return ByteBuffer.allocate(2).putShort((short) value).array();
    }

    private static byte[] int32(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** What follows the statement name in a Parse: the text and the parameter type OIDs. */
    private static byte[] parseBody(String sql, int... types) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(cstring(sql));
        body.writeBytes(int16(types.length));
        for (int type : types) {
            body.writeBytes(int32(type));
        }
        return body.toByteArray();
    }

    private static byte[] parse(String name, String sql, int... types) {
        return message('P', cstring(name), parseBody(sql, types));
    }

    /** What follows the statement name in a Bind: one text parameter, binary result columns. */
    private static byte[] bindRest(String parameter) {
        byte[] value = parameter.getBytes(StandardCharsets.UTF_8);
        return concat(int16(1), int16(0), int16(1), int32(value.length), value, int16(1), int16(1));
    }

    private static byte[] bind(String portal, String statement, String parameter) {
        return message('B', cstring(portal), cstring(statement), bindRest(parameter));
    }

    private static byte[] describe(char kind, String name) {
        return message('D', new byte[] {(byte) kind}, cstring(name));
    }

    private static byte[] close(char kind, String name) {
        return message('C', new byte[] {(byte) kind}, cstring(name));
    }

    /** The server-side name: pgw_ and the first 16 bytes of the SHA-256 of the Parse body, in hex. */
    private static String serverName(String sql, int... types) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(parseBody(sql, types));
            return "pgw_" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A frame from the client, owned by the test. */
    private ByteBuf incoming(byte[] message) {
        ByteBuf frame = alloc.buffer(message.length).writeBytes(message);
        frames.add(frame);
        return frame;
    }

    /** The bytes a result would send; releases it. */
    private static byte[] sent(ByteBuf out) {
        if (out == null) {
            return null;
        }
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    // ---- Parse ----

    @Test
    void namedParseIsRenamedAfterTheDigestOfItsDefinition() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        String name = serverName(SELECT, 23);

        byte[] out = sent(map.parse(incoming(parse("S_1", SELECT, 23)), server, 0));

        assertThat(name).matches("pgw_[0-9a-f]{32}");
        assertThat(out).isEqualTo(parse(name, SELECT, 23));
        assertThat(map.names()).containsExactly("S_1");
        assertThat(map.serverName("S_1")).isEqualTo(name);
        assertThat(server.hasStatement(name)).isTrue();
        assertThat(map.hiddenParseNext()).as("the client waits for this ParseComplete").isFalse();
        assertThat(map.hiddenCloseNext()).isFalse();
    }

    @Test
    void sameDefinitionGetsTheSameServerNameForEveryClientAndOtherTypesAnother() {
        StatementMap first = new StatementMap(10);
        StatementMap second = new StatementMap(10);

        byte[] fromFirst = sent(first.parse(incoming(parse("a", SELECT, 23)), server(), 0));
        byte[] fromSecond = sent(second.parse(incoming(parse("other_name", SELECT, 23)), server(), 0));
        byte[] otherTypes = sent(second.parse(incoming(parse("b", SELECT, 20)), server(), 0));

        assertThat(fromSecond).isEqualTo(fromFirst);
        assertThat(first.serverName("a")).isEqualTo(second.serverName("other_name"));
        assertThat(otherTypes).isEqualTo(parse(serverName(SELECT, 20), SELECT, 20));
        assertThat(serverName(SELECT, 20)).isNotEqualTo(serverName(SELECT, 23));
    }

    @Test
    void clientNamesAreComparedAsTheirUtf8Text() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        String name = "\u00e9t\u00e9_\u6f22\u5b57_" + "n".repeat(100);
        sent(map.parse(incoming(parse(name, SELECT)), server, 0));

        byte[] out = sent(map.bind(incoming(bind("", name, "1")), server, 0));

        assertThat(out).isEqualTo(message('B', cstring(""), cstring(serverName(SELECT)), bindRest("1")));
        assertThat(map.bind(incoming(bind("", "\u00e9t\u00e9", "1")), server, 0)).isNull();
    }

    @Test
    void unnamedParseIsSentAsItIs() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        int allocated = alloc.count();

        assertThat(map.parse(incoming(parse("", SELECT)), server, 0)).isNull();

        assertThat(alloc.count()).as("only the test's frame").isEqualTo(allocated + 1);
        assertThat(map.names()).isEmpty();
        assertThat(map.serverName("")).isEqualTo("");
    }

    @Test
    void parseOfAStatementTheServerHoldsClosesItThereFirst() {
        PooledServer server = server();
        String name = serverName(SELECT);
        sent(new StatementMap(10).parse(incoming(parse("a", SELECT)), server, 0));
        StatementMap second = new StatementMap(10);

        byte[] out = sent(second.parse(incoming(parse("b", SELECT)), server, 1));

        assertThat(out).isEqualTo(concat(close('S', name), parse(name, SELECT)));
        assertThat(second.hiddenCloseNext()).as("the proxy's Close").isTrue();
        assertThat(second.hiddenParseNext()).as("the client's Parse").isFalse();
        assertThat(server.hasStatement(name)).isTrue();
    }

    @Test
    void unknownStatementNamesAreServerNamesOfThemselves() {
        assertThat(new StatementMap(10).serverName("nope")).isEqualTo("nope");
    }

    // ---- Bind ----

    @Test
    void bindChangesOnlyTheStatementName() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        sent(map.parse(incoming(parse("S_1", SELECT, 23)), server, 0));

        byte[] out = sent(map.bind(incoming(bind("C_7", "S_1", "42")), server, 1));

        assertThat(out).isEqualTo(message('B', cstring("C_7"), cstring(serverName(SELECT, 23)), bindRest("42")));
        assertThat(map.hiddenParseNext()).as("the client's ParseComplete is still owed").isFalse();
    }

    @Test
    void bindKeepsLargeParameterBytesAsTheyAre() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        sent(map.parse(incoming(parse("s", SELECT)), server, 0));
        String parameter = "x".repeat(70_000) + "\u00e9\u0000\u00ff";

        byte[] out = sent(map.bind(incoming(bind("", "s", parameter)), server, 1));

        assertThat(out).isEqualTo(message('B', cstring(""), cstring(serverName(SELECT)), bindRest(parameter)));
    }

    @Test
    void bindOnAServerThatLacksTheStatementInjectsItsParseFirst() {
        StatementMap map = new StatementMap(10);
        sent(map.parse(incoming(parse("S_1", SELECT, 23)), server(), 0));
        map.parseComplete();
        map.synced(0);
        PooledServer other = server();
        String name = serverName(SELECT, 23);

        byte[] out = sent(map.bind(incoming(bind("", "S_1", "7")), other, 1));

        assertThat(out).isEqualTo(concat(parse(name, SELECT, 23), message('B', cstring(""), cstring(name), bindRest("7"))));
        assertThat(other.hasStatement(name)).isTrue();
        assertThat(map.hiddenParseNext()).as("the injected Parse's answer is the proxy's").isTrue();

        byte[] again = sent(map.bind(incoming(bind("", "S_1", "8")), other, 1));
        assertThat(again).as("prepared once per server").isEqualTo(message('B', cstring(""), cstring(name), bindRest("8")));
    }

    @Test
    void bindOfAnUnnamedOrUnknownStatementIsSentAsItIs() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        int allocated = alloc.count();

        assertThat(map.bind(incoming(bind("", "", "1")), server, 0)).isNull();
        assertThat(map.bind(incoming(bind("p", "never_parsed", "1")), server, 0)).isNull();

        assertThat(alloc.count()).as("only the test's frames").isEqualTo(allocated + 2);
        assertThat(map.hiddenParseNext()).isFalse();
    }

    @Test
    void bindWithNothingAfterTheNamesKeepsItsLength() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        sent(map.parse(incoming(parse("s", SELECT)), server, 0));

        byte[] out = sent(map.bind(incoming(message('B', cstring(""), cstring("s"))), server, 1));

        assertThat(out).isEqualTo(message('B', cstring(""), cstring(serverName(SELECT))));
    }

    // ---- Describe and Close ----

    @Test
    void describeOfAStatementIsRenamedAndPreparedWhereMissing() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        String name = serverName(SELECT);
        sent(map.parse(incoming(parse("s", SELECT)), server, 0));

        assertThat(sent(map.describeOrClose((byte) 'D', incoming(describe('S', "s")), server, 0)))
                .isEqualTo(describe('S', name));

        PooledServer other = server();
        assertThat(sent(map.describeOrClose((byte) 'D', incoming(describe('S', "s")), other, 1)))
                .isEqualTo(concat(parse(name, SELECT), describe('S', name)));
        assertThat(other.hasStatement(name)).isTrue();
    }

    @Test
    void describeOfAPortalUnnamedOrUnknownStatementIsSentAsItIs() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        sent(map.parse(incoming(parse("s", SELECT)), server, 0));

        assertThat(map.describeOrClose((byte) 'D', incoming(describe('P', "s")), server, 0)).isNull();
        assertThat(map.describeOrClose((byte) 'D', incoming(describe('S', "")), server, 0)).isNull();
        assertThat(map.describeOrClose((byte) 'D', incoming(describe('S', "unknown")), server, 0)).isNull();
    }

    @Test
    void closeOfAStatementIsRenamedAndForgotten() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        String name = serverName(SELECT);
        sent(map.parse(incoming(parse("s", SELECT)), server, 0));

        byte[] out = sent(map.describeOrClose((byte) 'C', incoming(close('S', "s")), server, 0));

        assertThat(out).isEqualTo(close('S', name));
        assertThat(map.names()).isEmpty();
        assertThat(server.hasStatement(name)).isFalse();
        assertThat(map.bind(incoming(bind("", "s", "1")), server, 1)).as("no longer mapped").isNull();
        map.parseComplete();
        assertThat(map.hiddenCloseNext()).as("the client waits for this CloseComplete").isFalse();
    }

    @Test
    void closeOfAPortalIsSentAsItIs() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        sent(map.parse(incoming(parse("s", SELECT)), server, 0));

        assertThat(map.describeOrClose((byte) 'C', incoming(close('P', "s")), server, 0)).isNull();
        assertThat(map.names()).containsExactly("s");
    }

    // ---- the per-server cache ----

    @Test
    void overTheLimitTheLeastRecentlyUsedStatementIsClosedFirst() {
        StatementMap map = new StatementMap(2);
        PooledServer server = server();
        String a = serverName("SELECT 'a'");
        String b = serverName("SELECT 'b'");
        String c = serverName("SELECT 'c'");
        sent(map.parse(incoming(parse("a", "SELECT 'a'")), server, 0));
        sent(map.parse(incoming(parse("b", "SELECT 'b'")), server, 0));
        sent(map.bind(incoming(bind("", "a", "1")), server, 0)); // a is now the most recent

        byte[] out = sent(map.parse(incoming(parse("c", "SELECT 'c'")), server, 0));

        assertThat(out).isEqualTo(concat(close('S', b), parse(c, "SELECT 'c'")));
        assertThat(server.hasStatement(b)).isFalse();
        assertThat(server.hasStatement(a)).isTrue();
        assertThat(server.hasStatement(c)).isTrue();
        assertThat(map.hiddenCloseNext()).as("the eviction's CloseComplete is the proxy's").isTrue();

        byte[] rebind = sent(map.bind(incoming(bind("", "b", "1")), server, 0));
        assertThat(rebind).as("b comes back, evicting a").isEqualTo(concat(close('S', a), parse(b, "SELECT 'b'"),
                message('B', cstring(""), cstring(b), bindRest("1"))));
    }

    // ---- answers ----

    @Test
    void hiddenAnswersAreRecognisedInTheOrderTheServerGetsTheMessages() {
        StatementMap map = new StatementMap(1);
        PooledServer server = server();
        sent(map.parse(incoming(parse("a", "SELECT 'a'")), server, 0));
        // b evicts a: Close a (hidden), Parse b (the client's)
        sent(map.parse(incoming(parse("b", "SELECT 'b'")), server, 0));
        // a again: Close b (hidden), Parse a (hidden), Bind
        sent(map.bind(incoming(bind("", "a", "1")), server, 0));
        sent(map.describeOrClose((byte) 'C', incoming(close('S', "a")), server, 0));

        assertThat(map.hiddenParseNext()).as("Parse a: the client's").isFalse();
        map.parseComplete();
        assertThat(map.hiddenCloseNext()).as("Close a: the eviction").isTrue();
        map.closeComplete();
        assertThat(map.hiddenParseNext()).as("Parse b: the client's").isFalse();
        map.parseComplete();
        assertThat(map.hiddenCloseNext()).as("Close b: the eviction").isTrue();
        map.closeComplete();
        assertThat(map.hiddenParseNext()).as("Parse a: injected").isTrue();
        map.parseComplete();
        assertThat(map.hiddenCloseNext()).as("Close a: the client's").isFalse();
        map.closeComplete();
        assertThat(map.hiddenParseNext()).isFalse();
        assertThat(map.hiddenCloseNext()).isFalse();
    }

    @Test
    void answerToAnUnnamedParseIsTheClientsWhenALaterGroupInjectsAParse() {
        StatementMap map = new StatementMap(10);
        sent(map.parse(incoming(parse("s", SELECT)), server(), 0));
        map.parseComplete();
        map.synced(0);
        PooledServer other = server();
        assertThat(map.parse(incoming(parse("", "SELECT 1")), other, 1)).isNull();
        sent(map.bind(incoming(bind("", "s", "1")), other, 2)); // pipelined behind group 1's Sync

        assertThat(map.hiddenParseNext()).as("group 1's ParseComplete answers the client's unnamed Parse").isFalse();
        map.parseComplete();
        map.synced(1);
        assertThat(map.hiddenParseNext()).as("group 2's injected Parse").isTrue();
    }

    @Test
    void answersToClosesSentAsTheyAreAreTheClientsWhenALaterGroupEvicts() {
        StatementMap map = new StatementMap(1);
        PooledServer server = server();
        sent(map.parse(incoming(parse("a", "SELECT 'a'")), server, 0));
        map.parseComplete();
        map.synced(0);
        assertThat(map.describeOrClose((byte) 'C', incoming(close('P', "portal")), server, 1)).isNull();
        assertThat(map.describeOrClose((byte) 'C', incoming(close('S', "")), server, 1)).isNull();
        assertThat(map.describeOrClose((byte) 'C', incoming(close('S', "never_parsed")), server, 1)).isNull();
        sent(map.parse(incoming(parse("b", "SELECT 'b'")), server, 2)); // evicts a

        for (int answer = 0; answer < 3; answer++) {
            assertThat(map.hiddenCloseNext()).as("CloseComplete %d of group 1 is the client's", answer).isFalse();
            map.closeComplete();
        }
        map.synced(1);
        assertThat(map.hiddenCloseNext()).as("group 2's eviction").isTrue();
    }

    /**
     * An unnamed Parse answered, then the injected Parse of the same group fails: the server must not
     * be thought to hold the statement.
     */
    @Test
    void failedInjectedParseAfterAnUnnamedParseIsForgotten() {
        StatementMap map = new StatementMap(10);
        sent(map.parse(incoming(parse("s", SELECT)), server(), 0));
        map.parseComplete();
        map.synced(0);
        PooledServer other = server();
        assertThat(map.parse(incoming(parse("", "SELECT 1")), other, 1)).isNull();
        sent(map.bind(incoming(bind("", "s", "1")), other, 1));

        map.parseComplete(); // the unnamed Parse
        map.error(1, other); // the injected Parse: the table is gone
        map.synced(1);

        assertThat(other.hasStatement(serverName(SELECT))).isFalse();
    }

    @Test
    void syncedDropsWhatItsGroupLeftUnansweredAndKeepsLaterGroups() {
        StatementMap map = new StatementMap(10);
        sent(map.parse(incoming(parse("a", "SELECT 'a'")), server(), 0));
        sent(map.parse(incoming(parse("b", "SELECT 'b'")), server(), 1));
        PooledServer other = server();
        sent(map.bind(incoming(bind("", "a", "1")), other, 2));

        map.synced(0);
        assertThat(map.hiddenParseNext()).as("group 1's Parse b is next").isFalse();
        map.synced(1);
        assertThat(map.hiddenParseNext()).as("group 2's injected Parse a is next").isTrue();
        map.synced(2);
        assertThat(map.hiddenParseNext()).isFalse();
    }

    @Test
    void errorForgetsTheStatementsItsGroupWouldHavePrepared() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        sent(map.parse(incoming(parse("old", "SELECT 'old'")), server(), 0));
        map.parseComplete();
        map.synced(0);
        sent(map.bind(incoming(bind("", "old", "1")), server, 1)); // injects Parse old
        sent(map.parse(incoming(parse("bad", "SELEC 1")), server, 1));
        sent(map.parse(incoming(parse("later", "SELECT 'later'")), server, 2));

        map.parseComplete(); // the injected Parse succeeded; Parse bad fails
        map.error(1, server);
        map.synced(1);

        assertThat(server.hasStatement(serverName("SELECT 'old'"))).as("answered before the error").isTrue();
        assertThat(server.hasStatement(serverName("SELEC 1"))).isFalse();
        assertThat(map.names()).containsExactlyInAnyOrder("old", "later");
        assertThat(server.hasStatement(serverName("SELECT 'later'"))).as("another group").isTrue();
        assertThat(map.hiddenParseNext()).as("the client's Parse later is next").isFalse();
        map.parseComplete();
        assertThat(map.hiddenParseNext()).isFalse();
    }

    @Test
    void errorBeforeAnInjectedParseLeavesTheServerWithoutTheStatementButTheClientWithIt() {
        StatementMap map = new StatementMap(10);
        sent(map.parse(incoming(parse("s", SELECT)), server(), 0));
        map.parseComplete();
        map.synced(0);
        PooledServer other = server();
        sent(map.bind(incoming(bind("", "s", "1")), other, 1));

        map.error(1, other);
        map.synced(1);

        assertThat(other.hasStatement(serverName(SELECT))).isFalse();
        assertThat(map.names()).containsExactly("s");
        byte[] retry = sent(map.bind(incoming(bind("", "s", "1")), other, 2));
        assertThat(retry).as("injected again").startsWith(parse(serverName(SELECT), SELECT));
    }

    @Test
    void errorBeforeAnEvictionKeepsTheEvictedStatementOnTheServer() {
        StatementMap map = new StatementMap(1);
        PooledServer server = server();
        String a = serverName("SELECT 'a'");
        String b = serverName("SELECT 'b'");
        sent(map.parse(incoming(parse("a", "SELECT 'a'")), server, 0));
        map.parseComplete();
        map.synced(0);
        sent(map.parse(incoming(parse("b", "SELECT 'b'")), server, 1)); // Close a, Parse b

        map.error(1, server); // before the Close: both skipped
        map.synced(1);

        assertThat(server.hasStatement(a)).isTrue();
        assertThat(server.hasStatement(b)).isFalse();
        assertThat(map.names()).containsExactly("a");
        assertThat(map.hiddenCloseNext()).isFalse();
    }

    @Test
    void errorAfterTheCloseOfAReParseLeavesNeitherStatementNorMapping() {
        PooledServer server = server();
        String name = serverName(SELECT);
        sent(new StatementMap(10).parse(incoming(parse("a", SELECT)), server, 0));
        StatementMap map = new StatementMap(10);
        sent(map.parse(incoming(parse("b", SELECT)), server, 1)); // Close (hidden), Parse

        map.closeComplete();
        map.error(1, server); // the table went away: the Parse failed
        map.synced(1);

        assertThat(server.hasStatement(name)).isFalse();
        assertThat(map.names()).isEmpty();
    }

    @Test
    void errorOfAReParseBeforeItsCloseKeepsTheServersStatement() {
        PooledServer server = server();
        String name = serverName(SELECT);
        sent(new StatementMap(10).parse(incoming(parse("a", SELECT)), server, 0));
        StatementMap map = new StatementMap(10);
        sent(map.parse(incoming(parse("b", SELECT)), server, 1));

        map.error(1, server);

        assertThat(server.hasStatement(name)).as("the Close was skipped").isTrue();
    }

    @Test
    void clearForgetsEveryClientStatement() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        sent(map.parse(incoming(parse("a", "SELECT 'a'")), server, 0));
        sent(map.parse(incoming(parse("b", "SELECT 'b'")), server, 0));

        map.clear();

        assertThat(map.names()).isEmpty();
        assertThat(map.bind(incoming(bind("", "a", "1")), server, 1)).isNull();
    }

    @Test
    void pooledBuffersComeBackWhole() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        ByteBuf parseFrame = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(parse("s", SELECT));
        ByteBuf bindFrame = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(bind("p", "s", "abc"));
        try {
            assertThat(sent(map.parse(parseFrame, server, 0))).isEqualTo(parse(serverName(SELECT), SELECT));
            ByteBuf out = map.bind(bindFrame, server, 0);
            assertThat(bindFrame.refCnt()).as("the parameters are a slice of the frame").isEqualTo(2);
            assertThat(sent(out)).isEqualTo(message('B', cstring("p"), cstring(serverName(SELECT)), bindRest("abc")));
            assertThat(bindFrame.refCnt()).isEqualTo(1);
        } finally {
            parseFrame.release();
            bindFrame.release();
        }
    }

    // ---- malformed messages ----

    @Test
    void malformedMessagesAreProtocolViolationsThatAllocateNothing() {
        StatementMap map = new StatementMap(10);
        PooledServer server = server();
        sent(map.parse(incoming(parse("s", SELECT)), server, 0));
        byte[] unterminated = "s".getBytes(StandardCharsets.US_ASCII);
        List<byte[]> parses = List.of(message('P'), message('P', unterminated));
        List<byte[]> binds = List.of(message('B'), message('B', unterminated), message('B', cstring("portal")),
                message('B', cstring("portal"), unterminated));
        int allocated = alloc.count();
        int frameCount = 0;

        for (byte[] bad : parses) {
            assertRefused(() -> map.parse(incoming(bad), server, 1), "Parse");
            frameCount++;
        }
        for (byte[] bad : binds) {
            assertRefused(() -> map.bind(incoming(bad), server, 1), "Bind");
            frameCount++;
        }
        for (char type : new char[] {'D', 'C'}) {
            List<byte[]> bads = List.of(message(type), message(type, new byte[] {'S'}), message(type, new byte[] {'S', 's'}),
                    message(type, new byte[] {'P', 'p'}));
            for (byte[] bad : bads) {
                assertRefused(() -> map.describeOrClose((byte) type, incoming(bad), server, 1), type == 'D' ? "Describe" : "Close");
                frameCount++;
            }
        }

        assertThat(alloc.count()).as("nothing but the test's frames").isEqualTo(allocated + frameCount);
        assertThat(map.names()).containsExactly("s");
        assertThat(map.hiddenParseNext()).isFalse();
        assertThat(map.hiddenCloseNext()).isFalse();
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(ProtocolException.PROTOCOL_VIOLATION);
            assertThat(e.getMessage()).startsWith(message + " message");
        });
    }
}
