package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.core.session.ConsoleCommand.Verb;
import org.junit.jupiter.api.Test;

/**
 * The admin console's command parser: keywords in any case, any white space, one trailing
 * semicolon, database arguments where a command takes one; everything else is refused with the list
 * of supported commands.
 */
class ConsoleCommandTest {

    @Test
    void showCommandsAreRecognizedInAnyCase() {
        assertThat(ConsoleCommand.parse("SHOW VERSION")).isEqualTo(new ConsoleCommand(Verb.SHOW_VERSION, null));
        assertThat(ConsoleCommand.parse("show pools;")).isEqualTo(new ConsoleCommand(Verb.SHOW_POOLS, null));
        assertThat(ConsoleCommand.parse("  Show\t\nClients ; ")).isEqualTo(new ConsoleCommand(Verb.SHOW_CLIENTS, null));
        assertThat(ConsoleCommand.parse("show servers").verb()).isEqualTo(Verb.SHOW_SERVERS);
        assertThat(ConsoleCommand.parse("SHOW STATS").verb()).isEqualTo(Verb.SHOW_STATS);
        assertThat(ConsoleCommand.parse("SHOW config").verb()).isEqualTo(Verb.SHOW_CONFIG);
        assertThat(ConsoleCommand.parse("SHOW PLUGINS;").verb()).isEqualTo(Verb.SHOW_PLUGINS);
        assertThat(ConsoleCommand.parse("shutdown")).isEqualTo(new ConsoleCommand(Verb.SHUTDOWN, null));
    }

    @Test
    void databaseArgumentsAreKeptAsTypedOrUnquoted() {
        assertThat(ConsoleCommand.parse("PAUSE")).isEqualTo(new ConsoleCommand(Verb.PAUSE, null));
        assertThat(ConsoleCommand.parse("pause App_DB;")).isEqualTo(new ConsoleCommand(Verb.PAUSE, "App_DB"));
        assertThat(ConsoleCommand.parse("RESUME")).isEqualTo(new ConsoleCommand(Verb.RESUME, null));
        assertThat(ConsoleCommand.parse("resume app")).isEqualTo(new ConsoleCommand(Verb.RESUME, "app"));
        assertThat(ConsoleCommand.parse("KILL \"My\"\"Db\"")).isEqualTo(new ConsoleCommand(Verb.KILL, "My\"Db"));
    }

    @Test
    void unknownCommandsNameTheSupportedOnes() {
        for (String sql : new String[] {"", ";", "SHOW", "SHOW POOLS;;", "SELECT 1", "RELOAD;;", "SHOW VERSION; SHOW POOLS", "SHOWPOOLS",
            "SHOW \u0000POOLS", "SHOW DATABASES", "PAUSED app"}) {
            assertThatThrownBy(() -> ConsoleCommand.parse(sql)).as(sql).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("supports SHOW VERSION, SHOW POOLS, SHOW CLIENTS, SHOW SERVERS, SHOW STATS, SHOW CONFIG,"
                            + " SHOW PLUGINS, PAUSE [db], RESUME [db], KILL db, RELOAD, SHUTDOWN");
        }
    }

    @Test
    void reloadIsOneWordInAnyCase() {
        assertThat(ConsoleCommand.parse("RELOAD")).isEqualTo(new ConsoleCommand(Verb.RELOAD, null));
        assertThat(ConsoleCommand.parse(" reload ; ")).isEqualTo(new ConsoleCommand(Verb.RELOAD, null));
        assertThatThrownBy(() -> ConsoleCommand.parse("RELOAD now")).hasMessage("RELOAD takes no argument; usage: RELOAD");
    }

    @Test
    void wrongArgumentsSayTheUsage() {
        assertThatThrownBy(() -> ConsoleCommand.parse("KILL")).hasMessage("KILL needs a database name; usage: KILL db");
        assertThatThrownBy(() -> ConsoleCommand.parse("KILL a b")).hasMessage("KILL takes one database name; usage: KILL db");
        assertThatThrownBy(() -> ConsoleCommand.parse("PAUSE a b")).hasMessageContaining("usage: PAUSE [db]");
        assertThatThrownBy(() -> ConsoleCommand.parse("SHOW POOLS extra")).hasMessage(
                "SHOW POOLS takes no argument; usage: SHOW POOLS");
        assertThatThrownBy(() -> ConsoleCommand.parse("SHUTDOWN now")).hasMessageContaining("takes no argument");
    }
}
