package io.pgwarden.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {

    private static final Set<String> REPORTED = Set.of("TimeZone", "DateStyle", "application_name", "client_encoding",
            "server_version");

    private static Map<String, String> startup(String... pairs) {
        Map<String, String> startup = new LinkedHashMap<>();
        startup.put("user", "alice");
        startup.put("database", "app");
        for (int i = 0; i < pairs.length; i += 2) {
            startup.put(pairs[i], pairs[i + 1]);
        }
        return startup;
    }

    @Test
    void startupParametersAreSortedByWhatTheServerReportsUnderItsSpelling() {
        ClientSettings settings = ClientSettings.fromStartup(
                startup("timezone", "UTC", "application_name", "batch", "Extra_Float_Digits", "3"), REPORTED, List.of());

        assertThat(settings.reported()).isEqualTo(Map.of("TimeZone", "UTC", "application_name", "batch"));
        assertThat(settings.unreported()).containsExactlyEntriesOf(Map.of("extra_float_digits", "3"));
        assertThat(settings.viewKnown()).isFalse();
    }

    @Test
    void loginParametersThatAreNoSettingsAreLeftOut() {
        ClientSettings settings = ClientSettings.fromStartup(startup("replication", "database", "options", ""), REPORTED, List.of());

        assertThat(settings.reported()).isEmpty();
        assertThat(settings.unreported()).isEmpty();
    }

    @Test
    void theRoleParameterIsNoSetting() {
        ClientSettings settings = ClientSettings.fromStartup(startup("role", "alice", "application_name", "batch"), REPORTED,
                List.of());

        assertThat(settings.reported()).containsExactlyEntriesOf(Map.of("application_name", "batch"));
        assertThat(settings.unreported()).isEmpty();
    }

    @Test
    void roleInOptionsOrSpeltOtherwiseIsRefusedRatherThanSetOnAttach() {
        assertThatThrownBy(() -> ClientSettings.fromStartup(startup("options", "-c role=bob"), REPORTED, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only as the startup parameter \"role\"");
        assertThatThrownBy(() -> ClientSettings.fromStartup(startup("options", "--ROLE=bob"), REPORTED, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientSettings.fromStartup(startup("Role", "bob"), REPORTED, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Role\"");
    }

    @Test
    void optionsGiveSettingsAndExplicitParametersWinOverThem() {
        ClientSettings settings = ClientSettings.fromStartup(
                startup("options", "-c TimeZone=Asia/Tokyo -c geqo=off", "TimeZone", "UTC"), REPORTED, List.of());

        assertThat(settings.reported()).containsExactlyEntriesOf(Map.of("TimeZone", "UTC"));
        assertThat(settings.unreported()).containsExactlyEntriesOf(Map.of("geqo", "off"));
    }

    @Test
    void seenReplacesTheRequestsWithWhatTheClientWasSentAndChangedFollowsParameterStatus() {
        ClientSettings settings = ClientSettings.fromStartup(startup("timezone", "utc"), REPORTED, List.of("SET ROLE alice"));
        Map<String, String> sent = new LinkedHashMap<>();
        sent.put("TimeZone", "UTC");
        sent.put("DateStyle", "ISO, MDY");

        settings.seen(sent);
        settings.changed("DateStyle", "German, DMY");

        assertThat(settings.viewKnown()).isTrue();
        assertThat(settings.reported()).containsExactly(Map.entry("TimeZone", "UTC"), Map.entry("DateStyle", "German, DMY"));
        assertThat(settings.init()).containsExactly("SET ROLE alice");
    }

    @Test
    void malformedOptionsAreRefused() {
        assertThatThrownBy(() -> ClientSettings.fromStartup(startup("options", "-d 5"), REPORTED, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"-d\"");
    }

    @Test
    void optionsParserTakesSeparateAndJoinedDashC() {
        assertThat(ClientSettings.StartupOptions.parse("-c a=b -cc=d  -c\te=f"))
                .containsExactly(Map.entry("a", "b"), Map.entry("c", "d"), Map.entry("e", "f"));
    }

    @Test
    void optionsParserTakesLongOptionsWithDashesAsUnderscores() {
        assertThat(ClientSettings.StartupOptions.parse("--statement-timeout=5s -c lock-timeout=1s"))
                .containsExactly(Map.entry("statement_timeout", "5s"), Map.entry("lock_timeout", "1s"));
    }

    @Test
    void optionsParserKeepsDashesAndEqualsInTheValue() {
        assertThat(ClientSettings.StartupOptions.parse("-c search-path=a-b=c"))
                .containsExactly(Map.entry("search_path", "a-b=c"));
    }

    @Test
    void backslashEscapesASpaceOrABackslashInAValue() {
        assertThat(ClientSettings.StartupOptions.parse("-c search_path=a,\\ b -c application_name=x\\\\y"))
                .containsExactly(Map.entry("search_path", "a, b"), Map.entry("application_name", "x\\y"));
    }

    @Test
    void emptyOrBlankOptionsGiveNoSettings() {
        assertThat(ClientSettings.StartupOptions.parse("")).isEmpty();
        assertThat(ClientSettings.StartupOptions.parse("  \t ")).isEmpty();
    }

    @Test
    void valueMayBeEmpty() {
        assertThat(ClientSettings.StartupOptions.parse("-c application_name=")).containsExactly(Map.entry("application_name", ""));
    }

    @Test
    void otherFlagsAreRefused() {
        for (String options : List.of("-d 5", "-B 100", "-", "--", "geqo=off", "-c")) {
            assertThatThrownBy(() -> ClientSettings.StartupOptions.parse(options)).as(options)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported option");
        }
    }

    @Test
    void settingWithoutEqualsOrNameIsRefused() {
        for (String options : List.of("-c geqo", "-cgeqo", "--geqo", "-c =off", "--=off")) {
            assertThatThrownBy(() -> ClientSettings.StartupOptions.parse(options)).as(options)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs the form name=value");
        }
    }
}
