package io.pgwarden.core.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {

    @TempDir
    Path temp;

    @Test
    void deletesATreeChildrenFirst() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root/a/b"));
        Files.writeString(root.resolve("file"), "x");
        Files.writeString(temp.resolve("root/top"), "y");

        FileTrees.delete(temp.resolve("root"));

        assertThat(temp.resolve("root")).doesNotExist();
    }

    @Test
    void aMissingTreeIsNotAnError() {
        FileTrees.delete(temp.resolve("never-made"));

        assertThat(temp).isEmptyDirectory();
    }

    @Test
    void symbolicLinksAreDeletedNotFollowed() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "kept");
        Path root = Files.createDirectories(temp.resolve("root"));
        Files.createSymbolicLink(root.resolve("link"), outside);

        FileTrees.delete(root);

        assertThat(root).doesNotExist();
        assertThat(outside.resolve("keep")).hasContent("kept");
    }

    @Test
    void deletingQuietlyDeletesTheSameTree() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root/a"));
        Files.writeString(root.resolve("file"), "x");

        FileTrees.deleteQuietly(temp.resolve("root"));

        assertThat(temp.resolve("root")).doesNotExist();
    }
}
