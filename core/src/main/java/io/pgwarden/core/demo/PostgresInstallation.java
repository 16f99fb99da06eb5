package io.pgwarden.core.demo;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * PostgreSQL binaries from zonky's archive on the class path, unpacked once into
 * {@code java.io.tmpdir/pgwarden-postgres/<digest>} and reused by later runs (the test kit uses the same
 * place, so a machine that ran the tests starts the demo at once). Unpacking goes to a staging folder
 * that is renamed into place, so two processes never see half an installation.
 */
final class PostgresInstallation {

    private PostgresInstallation() {
    }

    /**
     * The installation folder (with {@code bin/}, {@code lib/}, {@code share/}), unpacked if needed.
     *
     * @throws IOException when there are no binaries for this system or unpacking fails
     */
    static Path unpacked() throws IOException {
        byte[] archive = archive();
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "pgwarden-postgres");
        Path target = root.resolve(digest(archive));
        if (Files.isRegularFile(target.resolve("bin").resolve("postgres"))) {
            return target;
        }
        Files.createDirectories(root);
        openToAll(root);
        Path staging = Files.createTempDirectory(root, "unpacking-");
        try {
            unpack(archive, staging);
            // When pgwarden runs as root the server runs as an unprivileged user, which must read these files.
            openToAll(staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException anotherProcessWon) {
            FileTree.delete(staging);
        } catch (IOException | RuntimeException e) {
            FileTree.delete(staging);
            throw e;
        }
        return target;
    }

    private static byte[] archive() throws IOException {
        String system = system();
        String machine = machine();
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machine)) {
            if (in == null) {
                throw new IOException("no embedded PostgreSQL binaries for " + system + " " + machine + " on the class path");
            }
            return in.readAllBytes();
        } catch (IllegalStateException e) {
            throw new IOException("no embedded PostgreSQL binaries for " + system + " " + machine
                    + " on the class path (the demo runs on Linux x86-64)", e);
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
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createLink(path, base.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    boolean executable = (entry.getMode() & 0111) != 0;
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
    }

    private static void openToAll(Path directory) throws IOException {
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String digest(byte[] archive) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
