package io.pgwarden.core.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerUserTest {

    @TempDir
    Path temp;

    @Test
    void rootRunsToolsAsNobodyThroughSetpriv() {
        List<String> command = new ServerUser(true).command(List.of("/pg/bin/initdb", "-D", "/data"));

        assertThat(command).containsExactly("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                "/pg/bin/initdb", "-D", "/data");
    }

    @Test
    void anOrdinaryUserRunsToolsAsItself() {
        assertThat(new ServerUser(false).command(List.of("/pg/bin/pg_ctl", "stop"))).containsExactly("/pg/bin/pg_ctl", "stop");
    }

    @Test
    void thisProcessDropsPrivilegesExactlyWhenItIsRoot() throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");

        assertThat(ServerUser.forThisProcess().dropsPrivileges()).isEqualTo(uid == 0);
    }

    @Test
    void aFailingToolReportsItsExitCodeAndOutput() {
        Path output = temp.resolve("out");

        assertThatThrownBy(() -> new ServerUser(false).run(List.of("sh", "-c", "echo broken; exit 3"), output))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("broken");
    }

    @Test
    void toolsRunWithoutTheCallersPgdata() throws IOException {
        Path output = temp.resolve("out");

        new ServerUser(false).run(List.of("sh", "-c", "echo \"pgdata=${PGDATA:-unset} lc=$LC_ALL\""), output);

        assertThat(output).hasContent("pgdata=unset lc=C");
    }
}
