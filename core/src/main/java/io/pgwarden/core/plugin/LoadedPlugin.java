package io.pgwarden.core.plugin;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plugin file from the plugins directory, with its own class loader.
 */
final class LoadedPlugin implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedPlugin.class);

    private final PluginDescriptor descriptor;
    private final Path file;
    private final URLClassLoader classLoader;
    private final Path extractedDirectory;

    /**
     * @param descriptor the manifest entries
     * @param file the jar or zip in the plugins directory
     * @param classLoader the plugin's own loader
     * @param extractedDirectory where a zip was unpacked, deleted on close; {@code null} for a jar
     */
    LoadedPlugin(PluginDescriptor descriptor, Path file, URLClassLoader classLoader, Path extractedDirectory) {
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
        this.file = Objects.requireNonNull(file, "file");
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.extractedDirectory = extractedDirectory;
    }

    PluginDescriptor descriptor() {
        return descriptor;
    }

    Path file() {
        return file;
    }

    ClassLoader classLoader() {
        return classLoader;
    }

    @Override
    public void close() {
        try {
            classLoader.close();
        } catch (IOException e) {
            LOG.warn("Closing the class loader of plugin {} ({}) failed: {}", descriptor.id(), file, e.toString());
        }
        if (extractedDirectory != null) {
            deleteTree(extractedDirectory);
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", root, e.toString());
        }
    }

    @Override
    public String toString() {
        return descriptor.id() + " " + descriptor.version() + " (" + file + ")";
    }
}
