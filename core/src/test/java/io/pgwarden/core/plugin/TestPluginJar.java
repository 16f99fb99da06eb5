package io.pgwarden.core.plugin;

import io.pgwarden.spi.InterceptorFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a plugin jar the way a third party would: sources compiled against the SPI alone, a
 * manifest with the Plugin-* entries and a services file.
 */
final class TestPluginJar {

    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<String> factories = new ArrayList<>();
    private final Map<String, String> manifest = new LinkedHashMap<>();
    private final List<Path> extraClassPath = new ArrayList<>();
    private final Map<String, byte[]> extraEntries = new LinkedHashMap<>();

    private TestPluginJar(String id) {
        if (id != null) {
            manifest.put("Plugin-Id", id);
            manifest.put("Plugin-Version", "1.2.3");
            manifest.put("Plugin-Requires", "1.0");
        }
    }

    /** A plugin jar with the usual manifest. */
    static TestPluginJar plugin(String id) {
        return new TestPluginJar(id);
    }

    /** A library jar: no Plugin-* manifest entries. */
    static TestPluginJar library() {
        return new TestPluginJar(null);
    }

    TestPluginJar source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    TestPluginJar factory(String className) {
        factories.add(className);
        return this;
    }

    TestPluginJar manifest(String name, String value) {
        if (value == null) {
            manifest.remove(name);
        } else {
            manifest.put(name, value);
        }
        return this;
    }

    /** Adds a file to the jar as is. */
    TestPluginJar entry(String name, byte[] content) {
        extraEntries.put(name, content);
        return this;
    }

    TestPluginJar compileAgainst(Path jar) {
        extraClassPath.add(jar);
        return this;
    }

    /** Writes the jar. */
    Path writeTo(Path jar) throws IOException {
        Path work = Files.createTempDirectory("pgwarden-test-plugin-src-");
        try {
            Path classes = work.resolve("classes");
            Files.createDirectories(classes);
            compile(work, classes);
            Manifest mf = new Manifest();
            mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.forEach((name, value) -> mf.getMainAttributes().putValue(name, value));
            Files.createDirectories(jar.toAbsolutePath().getParent());
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
                try (Stream<Path> files = Files.walk(classes)) {
                    for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                        Files.copy(file, out);
                        out.closeEntry();
                    }
                }
                for (Map.Entry<String, byte[]> extra : extraEntries.entrySet()) {
                    out.putNextEntry(new JarEntry(extra.getKey()));
                    out.write(extra.getValue());
                    out.closeEntry();
                }
                if (!factories.isEmpty()) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + InterceptorFactory.class.getName()));
                    out.write((String.join("\n", factories) + "\n").getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
            return jar;
        } finally {
            LoadedPlugin.deleteTree(work);
        }
    }

    private void compile(Path work, Path classes) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", classes.toString(),
                "-classpath", classPath()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = work.resolve("src").resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
        int status = compiler.run(null, OutputStream.nullOutputStream(), errors, arguments.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("test plugin does not compile:\n" + errors.toString(StandardCharsets.UTF_8));
        }
    }

    private String classPath() {
        List<String> entries = new ArrayList<>();
        try {
            entries.add(Path.of(InterceptorFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        extraClassPath.forEach(path -> entries.add(path.toString()));
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Writes a zip with the given jars in lib/. */
    static Path zip(Path zip, Path... libJars) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("lib/"));
            out.closeEntry();
            for (Path jar : libJars) {
                out.putNextEntry(new ZipEntry("lib/" + jar.getFileName()));
                Files.copy(jar, out);
                out.closeEntry();
            }
        }
        return zip;
    }
}
