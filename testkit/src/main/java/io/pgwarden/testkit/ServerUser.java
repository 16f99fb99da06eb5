package io.pgwarden.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The operating-system user the PostgreSQL processes run as.
 *
 * <p>PostgreSQL refuses to run as root, and CI machines and containers often run the build as root.
 * Then the server runs as {@code nobody} (uid and gid 65534) through util-linux {@code setpriv}, and the
 * files it must own are handed to that user. Otherwise it runs as the current user and nothing changes.
 */
record ServerUser(boolean dropsPrivileges) {

    private static final int NOBODY = 65534;

    /** The user for this JVM: {@code nobody} when the JVM runs as root, else the current user. */
    static ServerUser forThisProcess() throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        return new ServerUser(uid == 0);
    }

    /** The command line that runs {@code command} as this user. */
    List<String> command(List<String> command) {
        if (!dropsPrivileges) {
            return List.copyOf(command);
        }
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "--"));
        full.addAll(command);
        return full;
    }

    /** Makes this user the owner of {@code path} (not recursive). */
    void own(Path path) throws IOException {
        if (dropsPrivileges) {
            Files.setAttribute(path, "unix:uid", NOBODY);
            Files.setAttribute(path, "unix:gid", NOBODY);
        }
    }
}
