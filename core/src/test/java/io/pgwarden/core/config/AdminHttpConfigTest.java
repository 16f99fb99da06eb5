package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code admin.http} section: off by default, {@code host:port} parsing and every refusal with its YAML path. */
class AdminHttpConfigTest {

    @TempDir
    Path dir;

    private AdminHttpConfig admin(String yaml) {
        return MinimalConfig.parse(yaml, dir).adminHttp();
    }

    private List<String> problemsOf(String yaml) {
        return MinimalConfig.problemsOf(yaml, dir);
    }

    @Test
    void adminEndpointIsOffWithoutListen() {
        assertThat(admin("")).isEqualTo(AdminHttpConfig.DISABLED);
        assertThat(admin("admin: {}\n").enabled()).isFalse();
        assertThat(admin("admin: { http: { ready_check_interval: 1s } }\n").enabled()).isFalse();
    }

    @Test
    void listenTakesHostAndPortWithDefaultInterval() {
        assertThat(admin("admin: { http: { listen: \"127.0.0.1:9127\" } }\n"))
                .isEqualTo(AdminHttpConfig.listening("127.0.0.1", 9127, Duration.ofSeconds(5)));
        assertThat(admin("admin: { http: { listen: \"0.0.0.0:0\", ready_check_interval: 250ms } }\n"))
                .isEqualTo(AdminHttpConfig.listening("0.0.0.0", 0, Duration.ofMillis(250)));
    }

    @Test
    void ipv6AddressesAreWrittenInBrackets() {
        assertThat(admin("admin: { http: { listen: \"[::1]:9127\" } }\n"))
                .isEqualTo(AdminHttpConfig.listening("::1", 9127, Duration.ofSeconds(5)));
        assertThat(problemsOf("admin: { http: { listen: \"::1:9127\" } }\n"))
                .containsExactly("admin.http.listen: expected host:port, e.g. 127.0.0.1:9127 or [::1]:9127 (port 0-65535), "
                        + "found '::1:9127'");
    }

    @Test
    void badListenValuesNameTheirPath() {
        for (String bad : List.of("9127", "localhost", ":9127", "localhost:", "localhost:65536", "localhost:-1", "localhost:http",
                "localhost:123456")) {
            assertThat(problemsOf("admin: { http: { listen: \"" + bad + "\" } }\n")).as(bad)
                    .singleElement().asString().startsWith("admin.http.listen: expected host:port");
        }
        assertThat(problemsOf("admin: { http: { listen: [ a, b ] } }\n"))
                .containsExactly("admin.http.listen: expected a single value, found a list");
    }

    @Test
    void intervalIsADurationOfAtLeast100Milliseconds() {
        assertThat(problemsOf("admin: { http: { listen: \"127.0.0.1:0\", ready_check_interval: 50ms } }\n"))
                .containsExactly("admin.http.ready_check_interval: must be at least 100ms, found '50ms'");
        assertThat(problemsOf("admin: { http: { listen: \"127.0.0.1:0\", ready_check_interval: 5 } }\n"))
                .singleElement().asString().startsWith("admin.http.ready_check_interval: ");
    }

    @Test
    void unknownKeysAndWrongShapesAreRefused() {
        assertThat(problemsOf("admin: { http: { port: 9127 }, metrics: true }\n")).containsExactly(
                "admin.http.port: unknown key; known keys: listen, ready_check_interval",
                "admin.metrics: unknown key; known keys: http, console");
        assertThat(problemsOf("admin: { http: \"127.0.0.1:9127\" }\n"))
                .containsExactly("admin.http: expected a map of keys and values, found '127.0.0.1:9127'");
    }
}
