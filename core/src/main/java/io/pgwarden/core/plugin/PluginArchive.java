package io.pgwarden.core.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.DefaultPluginDescriptor;
import org.pf4j.PluginClassLoader;

/**
 * Opens one file of the plugins directory as a {@link LoadedPlugin}: a jar, or a zip holding the
 * plugin's jar and its libraries in {@code lib/} (and optionally classes in {@code classes/}),
 * PF4J's layout. Exactly one jar (or {@code classes/META-INF/MANIFEST.MF}) carries the
 * {@code Plugin-Id} manifest.
 *
 * <p>The class loader is PF4J's {@link PluginClassLoader}, application first, over a parent that
 * exposes only the JDK and the SPI ({@link SpiClassLoader}). "Application first" therefore means
 * "JDK and SPI first": a plugin that bundles a copy of the SPI still uses the proxy's.
 */
final class PluginArchive {

    private static final int MAX_ZIP_ENTRIES = 10_000;

    private PluginArchive() {
    }

    static boolean isPluginFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return Files.isRegularFile(path) && (name.endsWith(".jar") || name.endsWith(".zip"));
    }

    /**
     * Opens the file.
     *
     * @param file a jar or zip
     * @param parent the loader every plugin loader delegates to first
     * @return the plugin
     * @throws PluginLoadException when the file is not a valid plugin
     */
    static LoadedPlugin open(Path file, ClassLoader parent) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        try {
            return name.endsWith(".zip") ? openZip(file, parent) : openJar(file, parent);
        } catch (IOException | UncheckedIOException e) {
            throw new PluginLoadException("cannot read plugin file " + file + ": " + e.getMessage(), e);
        }
    }

    private static LoadedPlugin openJar(Path file, ClassLoader parent) throws IOException {
        PluginDescriptor descriptor = PluginDescriptor.from(manifestOf(file), file);
        PluginClassLoader loader = classLoader(descriptor, parent);
        loader.addURL(file.toUri().toURL());
        return new LoadedPlugin(descriptor, file, loader, null);
    }

    private static LoadedPlugin openZip(Path file, ClassLoader parent) throws IOException {
        Path directory = Files.createTempDirectory("pgwarden-plugin-");
        try {
            extract(file, directory);
            List<Path> classPath = new ArrayList<>();
            List<Manifest> declaring = new ArrayList<>();
            Path classes = directory.resolve("classes");
            if (Files.isDirectory(classes)) {
                classPath.add(classes);
                Path manifestFile = classes.resolve(JarFile.MANIFEST_NAME);
                if (Files.isRegularFile(manifestFile)) {
                    try (InputStream in = Files.newInputStream(manifestFile)) {
                        Manifest manifest = new Manifest(in);
                        if (PluginDescriptor.declaresPlugin(manifest)) {
                            declaring.add(manifest);
                        }
                    }
                }
            }
            Path lib = directory.resolve("lib");
            if (Files.isDirectory(lib)) {
                try (Stream<Path> jars = Files.list(lib)) {
                    for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                        classPath.add(jar);
                        Manifest manifest = manifestOf(jar);
                        if (PluginDescriptor.declaresPlugin(manifest)) {
                            declaring.add(manifest);
                        }
                    }
                }
            }
            if (declaring.size() != 1) {
                throw new PluginLoadException("plugin file " + file + " must hold exactly one jar in lib/ whose manifest has "
                        + PluginDescriptor.PLUGIN_ID + ", found " + declaring.size());
            }
            PluginDescriptor descriptor = PluginDescriptor.from(declaring.get(0), file);
            PluginClassLoader loader = classLoader(descriptor, parent);
            for (Path entry : classPath) {
                loader.addURL(entry.toUri().toURL());
            }
            return new LoadedPlugin(descriptor, file, loader, directory);
        } catch (IOException | RuntimeException e) {
            LoadedPlugin.deleteTree(directory);
            throw e;
        }
    }

    private static PluginClassLoader classLoader(PluginDescriptor descriptor, ClassLoader parent) {
        // "*" keeps PF4J from reading Plugin-Requires as one of its own version expressions.
        DefaultPluginDescriptor pf4jDescriptor = new DefaultPluginDescriptor(
                descriptor.id(), "", null, descriptor.version(), "*", null, null);
        return new PluginClassLoader(null, pf4jDescriptor, parent, ClassLoadingStrategy.APD);
    }

    private static Manifest manifestOf(Path jar) throws IOException {
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            return jarFile.getManifest();
        }
    }

    private static void extract(Path zip, Path target) throws IOException {
        try (ZipFile zipFile = new ZipFile(zip.toFile())) {
            if (zipFile.size() > MAX_ZIP_ENTRIES) {
                throw new PluginLoadException("plugin file " + zip + " has more than " + MAX_ZIP_ENTRIES + " entries");
            }
            Enumeration<? extends ZipEntry> entries = zipFile.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path destination = target.resolve(entry.getName()).normalize();
                if (!destination.startsWith(target)) {
                    throw new PluginLoadException("plugin file " + zip + " has an entry outside its own folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(destination);
                    continue;
                }
                Files.createDirectories(destination.getParent());
                try (InputStream in = zipFile.getInputStream(entry)) {
                    Files.copy(in, destination);
                }
            }
        }
    }
}
