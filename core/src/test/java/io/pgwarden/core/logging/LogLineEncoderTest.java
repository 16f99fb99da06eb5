package io.pgwarden.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.status.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The encoder in logback.xml: text unchanged, JSON on request, the format switched while running. */
class LogLineEncoderTest {

    private final LoggerContext context = new LoggerContext();

    private LogLineEncoder encoder(String format) {
        LogLineEncoder encoder = new LogLineEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.setPattern("%-5level %logger{1} %msg%n");
        encoder.start();
        return encoder;
    }

    private String line(LogLineEncoder encoder) {
        LoggingEvent event = new LoggingEvent("test", context.getLogger("io.pgwarden.core.session.ClientSession"), Level.WARN,
                "[{}] the server closed the connection", null, new Object[] {"0a1b2c3d"});
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void textKeepsThePatternAndTheSessionPrefix() {
        assertThat(line(encoder("text"))).isEqualTo("WARN  i.p.c.s.ClientSession [0a1b2c3d] the server closed the connection\n");
    }

    @Test
    void jsonWritesOneObjectPerLine() throws Exception {
        assertThat(JsonLineTest.parse(line(encoder(" JSON ")))).containsEntry("session", "0a1b2c3d")
                .containsEntry("message", "the server closed the connection");
    }

    @Test
    void switchesFormatWhileRunning() {
        LogLineEncoder encoder = encoder("text");

        encoder.use(LogFormat.JSON);

        assertThat(encoder.format()).isEqualTo(LogFormat.JSON);
        assertThat(line(encoder)).startsWith("{\"timestamp\":");
    }

    @Test
    void anUnknownFormatIsReportedAndLeavesText() {
        LogLineEncoder encoder = encoder("xml");

        assertThat(encoder.format()).isEqualTo(LogFormat.TEXT);
        assertThat(context.getStatusManager().getCopyOfStatusList()).anySatisfy(status -> {
            assertThat(status.getLevel()).isEqualTo(Status.ERROR);
            assertThat(status.getMessage()).contains("unknown log format 'xml'");
        });
        assertThat(line(encoder)).startsWith("WARN  i.p.c.s.ClientSession [0a1b2c3d]");
    }

    @Test
    void formatNamesAreTextAndJsonOnly() {
        assertThat(LogFormat.named("Text")).contains(LogFormat.TEXT);
        assertThat(LogFormat.named("json")).contains(LogFormat.JSON);
        assertThat(LogFormat.named("")).isEmpty();
        assertThat(LogFormat.named("logfmt")).isEmpty();
        assertThat(LogFormat.named(null)).isEmpty();
        assertThat(LogFormat.JSON.optionName()).isEqualTo("json");
    }
}
