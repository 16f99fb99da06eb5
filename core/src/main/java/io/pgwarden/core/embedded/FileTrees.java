package io.pgwarden.core.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Deletes the directory trees that embedded servers and test fixtures create. Symbolic links are deleted,
 * never followed, so a link inside a tree cannot take files outside it along.
 */
public final class FileTrees {

    private FileTrees() {
    }

    /**
     * Deletes a tree, children first; a missing tree is not an error.
     *
     * @param root the directory (or file) to delete
     * @throws UncheckedIOException when something in the tree cannot be deleted
     */
    public static void delete(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    /**
     * Deletes a tree on a path that is already failing, where a second error would hide the first.
     *
     * @param root the directory (or file) to delete
     */
    public static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (UncheckedIOException ignored) {
            // The caller is reporting the original failure; a leftover temp directory is the lesser problem.
        }
    }
}
