package io.pgwarden.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.Map;
import net.minidev.json.JSONObject;
import net.minidev.json.parser.JSONParser;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The JSON line: fields, the session id, what is never written, escaping of values a client chose. */
class JsonLineTest {

    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(String format, Object... arguments) {
        LoggingEvent event = new LoggingEvent(JsonLineTest.class.getName(), context.getLogger("io.pgwarden.core.session.ClientSession"),
                Level.INFO, format, null, arguments);
        event.setThreadName("pgwarden-io-1");
        event.setTimeStamp(1_700_000_000_123L);
        return event;
    }

    /** Parses one line strictly (RFC 8259), after checking it is one line ending in a line feed. */
    static JSONObject parse(String line) throws Exception {
        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n", "\r");
        return (JSONObject) new JSONParser(JSONParser.MODE_STRICTEST).parse(line.substring(0, line.length() - 1));
    }

    @Test
    void writesTheFieldsOfAnEventAsOneObject() throws Exception {
        JSONObject json = parse(JsonLine.render(event("pgwarden listening on {}", "127.0.0.1:6432")));

        assertThat(json).containsOnlyKeys("timestamp", "level", "logger", "thread", "message");
        assertThat(json).containsEntry("timestamp", "2023-11-14T22:13:20.123Z").containsEntry("level", "INFO")
                .containsEntry("logger", "io.pgwarden.core.session.ClientSession").containsEntry("thread", "pgwarden-io-1")
                .containsEntry("message", "pgwarden listening on 127.0.0.1:6432");
    }

    @Test
    void liftsTheSessionPrefixIntoItsField() throws Exception {
        JSONObject json = parse(JsonLine.render(event("[{}] client terminated the session", "0a1b2c3d")));

        assertThat(json).containsEntry("session", "0a1b2c3d").containsEntry("message", "client terminated the session");
    }

    @Test
    void takesTheSessionFromTheKeyValuePairAndNoOtherPair() throws Exception {
        LoggingEvent event = event("ready");
        event.addKeyValuePair(new KeyValuePair("session", "0000beef"));
        event.addKeyValuePair(new KeyValuePair("password", "hunter2-secret"));

        String line = JsonLine.render(event);

        assertThat(parse(line)).containsEntry("session", "0000beef").containsEntry("message", "ready");
        assertThat(line).doesNotContain("hunter2-secret");
    }

    @Test
    void leavesABracketThatIsNoSessionIdInTheMessage() throws Exception {
        for (String message : new String[] {"[pool] closing", "[0A1B2C3D] upper case", "[0a1b2c3] seven digits", " [0a1b2c3d] later"}) {
            JSONObject json = parse(JsonLine.render(event(message)));
            assertThat(json).doesNotContainKey("session").containsEntry("message", message);
        }
    }

    @Test
    void neverWritesTheMdcOrTheRawArguments() throws Exception {
        LoggingEvent event = event("authenticated as {}", "alice");
        event.setMDCPropertyMap(Map.of("token", "eyJ-mdc-secret"));

        String line = JsonLine.render(event);

        assertThat(line).doesNotContain("eyJ-mdc-secret").doesNotContain("\"arguments\"");
        assertThat(parse(line)).containsEntry("message", "authenticated as alice");
    }

    @Test
    void aClientChosenValueCannotEndTheLineOrForgeAField() throws Exception {
        String user = "mallory\",\"level\":\"ERROR\"}\n{\"forged\":\"1\u0000\u001f\\\t\r\u2028\u007f é 😀";

        String line = JsonLine.render(event("[{}] authentication failed for user {}", "0a1b2c3d", user));

        JSONObject json = parse(line);
        assertThat(json).containsEntry("level", "INFO").containsEntry("session", "0a1b2c3d")
                .containsEntry("message", "authentication failed for user " + user).doesNotContainKey("forged");
    }

    @Test
    void writesTheStackTraceOfAnException() throws Exception {
        LoggingEvent event = new LoggingEvent(JsonLineTest.class.getName(), context.getLogger("x"), Level.ERROR,
                "[{}] interceptor {} failed", new IllegalStateException("boom"), new Object[] {"0a1b2c3d", "masking"});

        JSONObject json = parse(JsonLine.render(event));

        assertThat(json).containsEntry("level", "ERROR").containsEntry("session", "0a1b2c3d")
                .containsEntry("message", "interceptor masking failed");
        assertThat((String) json.get("exception")).startsWith("java.lang.IllegalStateException: boom")
                .contains("at io.pgwarden.core.logging.JsonLineTest");
    }
}
