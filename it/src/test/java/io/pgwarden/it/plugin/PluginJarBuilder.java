package io.pgwarden.it.plugin;

import io.pgwarden.spi.InterceptorFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * Builds a plugin jar during a test, as a third party would: sources compiled by the system Java
 * compiler against the SPI jar alone, a manifest with the Plugin-* entries, a services file.
 */
final class PluginJarBuilder {

    private final String id;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<String> factories = new ArrayList<>();

    PluginJarBuilder(String id) {
        this.id = id;
    }

    PluginJarBuilder source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    /** Adds every {@code .java} file under a source root, e.g. a module's {@code src/main/java}. */
    PluginJarBuilder sourceTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String relative = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                sources.put(relative.substring(0, relative.length() - ".java".length()).replace('/', '.'), Files.readString(file));
            }
        }
        return this;
    }

    PluginJarBuilder factory(String className) {
        factories.add(className);
        return this;
    }

    Path writeTo(Path jar) throws IOException {
        Path work = Files.createTempDirectory("pgwarden-it-plugin-");
        try {
            Path classes = Files.createDirectories(work.resolve("classes"));
            compile(work, classes);
            Manifest manifest = new Manifest();
            Attributes attributes = manifest.getMainAttributes();
            attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            attributes.putValue("Plugin-Id", id);
            attributes.putValue("Plugin-Version", "1.0.0");
            attributes.putValue("Plugin-Requires", io.pgwarden.spi.SpiVersion.CURRENT);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                 Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
                out.putNextEntry(new JarEntry("META-INF/services/" + InterceptorFactory.class.getName()));
                out.write((String.join("\n", factories) + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
            return jar;
        } finally {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private void compile(Path work, Path classes) throws IOException {
        String spiJar;
        try {
            spiJar = Path.of(InterceptorFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-proc:none",
                "-d", classes.toString(), "-classpath", spiJar));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = work.resolve("src").resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler()
                .run(null, OutputStream.nullOutputStream(), errors, arguments.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("plugin sources do not compile:\n" + errors.toString(StandardCharsets.UTF_8));
        }
    }
}
