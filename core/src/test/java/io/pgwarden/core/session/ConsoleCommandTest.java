package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The admin console's command parser: case, white space and one trailing semicolon; everything else is unsupported. */
class ConsoleCommandTest {

    @Test
    void showCommandsAreRecognizedInAnyCase() {
        assertThat(ConsoleCommand.parse("SHOW VERSION")).isEqualTo(ConsoleCommand.VERSION);
        assertThat(ConsoleCommand.parse("show pools;")).isEqualTo(ConsoleCommand.POOLS);
        assertThat(ConsoleCommand.parse("  Show\t\nClients ; ")).isEqualTo(ConsoleCommand.CLIENTS);
    }

    @Test
    void reloadIsOneWordInAnyCase() {
        assertThat(ConsoleCommand.parse("RELOAD")).isEqualTo(ConsoleCommand.RELOAD);
        assertThat(ConsoleCommand.parse(" reload ; ")).isEqualTo(ConsoleCommand.RELOAD);
    }

    @Test
    void anythingElseIsUnsupported() {
        for (String sql : new String[] {"", ";", "SHOW", "SHOW SERVERS", "SHOW POOLS;;", "SHOW POOLS extra", "SELECT 1", "RELOAD now",
            "RELOAD;;", "PAUSE db", "SHUTDOWN", "SHOW VERSION; SHOW POOLS", "SHOWPOOLS", "SHOW \u0000POOLS"}) {
            assertThat(ConsoleCommand.parse(sql)).as(sql).isEqualTo(ConsoleCommand.UNSUPPORTED);
        }
    }
}
