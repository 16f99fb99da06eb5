package io.pgwarden.core.login;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only their owner may read: directories are created 0700 and files written 0600 from the start (a temporary
 * file created with those permissions, then moved over the old one atomically), so that no other user ever sees a
 * token, not even half of one while it is being written. Where the file system has no POSIX permissions (Windows), the
 * user's profile directory is relied on.
 */
final class PrivateFiles {

    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /**
     * Writes a file atomically, owner-only, creating its directory (owner-only) when needed.
     *
     * @param file the file
     * @param content the bytes
     * @throws LoginException when it cannot be written
     */
    static void write(Path file, byte[] content) {
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = null;
        try {
            createDirectory(directory);
            temporary = posix()
                    ? Files.createTempFile(directory, ".tmp-", ".part", PosixFilePermissions.asFileAttribute(OWNER_FILE))
                    : Files.createTempFile(directory, ".tmp-", ".part");
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temporary = null;
        } catch (IOException e) {
            throw new LoginException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    // the write failed already; that error is the one reported
                }
            }
        }
    }

    /**
     * Creates a directory owner-only, or makes an existing one owner-only (the token directory: pgwarden's own).
     *
     * @param directory the directory
     * @throws LoginException when it cannot be created or its permissions set
     */
    static void ownerOnlyDirectory(Path directory) {
        try {
            createDirectory(directory);
            if (posix() && !Files.getPosixFilePermissions(directory).equals(OWNER_DIRECTORY)) {
                Files.setPosixFilePermissions(directory, OWNER_DIRECTORY);
            }
        } catch (IOException e) {
            throw new LoginException("cannot create " + directory + " for the user only: " + e.getMessage(), e);
        }
    }

    /** Creates a missing directory and its missing parents owner-only; leaves existing ones as they are. */
    private static void createDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (!posix()) {
            Files.createDirectories(directory);
            return;
        }
        Path parent = directory.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createDirectory(parent);
        }
        FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY);
        Files.createDirectory(directory, ownerOnly);
    }

    /**
     * Checks that no one but the owner may read or write a file.
     *
     * @param file the file
     * @throws LoginException when group or others have any permission on it
     * @throws IOException when its permissions cannot be read
     */
    static void checkOwnerOnly(Path file) throws IOException {
        if (!posix()) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        for (PosixFilePermission permission : permissions) {
            if (!OWNER_FILE.contains(permission) && permission != PosixFilePermission.OWNER_EXECUTE) {
                throw new LoginException("refusing to use " + file + ": other users may read or change it ("
                        + PosixFilePermissions.toString(permissions) + "); if no one else can have copied it, run"
                        + " chmod 600 " + file + ", otherwise run pgwarden logout and sign in again");
            }
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
