package io.pgwarden.it.oidc;

import io.pgwarden.core.embedded.FileTrees;
import io.pgwarden.testkit.ProxyFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The real auth-oidc plugin jar (the shaded jar Maven built, passed in system property {@value #JAR_PROPERTY})
 * copied into a temporary plugins folder, and proxies that load it from there as an installation does. The
 * plugin's classes are not on the test class path (failsafe's {@code classpathDependencyExcludes} in it/pom.xml),
 * so the tests see only what a client sees. Also writes the files a configuration names (secrets, CA files);
 * {@link #close()} closes every proxy it started and deletes the folder.
 */
final class OidcPluginFixture implements AutoCloseable {

    /** The system property holding the plugin jar's path; set by it/pom.xml. */
    static final String JAR_PROPERTY = "pgwarden.plugin.auth-oidc";

    private final Path directory;
    private final Path plugins;
    private final List<ProxyFixture> proxies = new ArrayList<>();

    private OidcPluginFixture(Path directory, Path plugins) {
        this.directory = directory;
        this.plugins = plugins;
    }

    static Path pluginJar() {
        String path = System.getProperty(JAR_PROPERTY);
        if (path == null || path.isBlank() || path.startsWith("${")) {
            throw new IllegalStateException("system property " + JAR_PROPERTY + " is not set (found " + path
                    + "): run the oidc ITs through Maven, which passes the auth-oidc plugin jar's path");
        }
        Path jar = Path.of(path);
        if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
            throw new IllegalStateException(JAR_PROPERTY + " names no plugin jar: " + jar
                    + " (package plugins/auth-oidc first; the reactor build does)");
        }
        return jar;
    }

    static OidcPluginFixture create() {
        Path jar = pluginJar();
        Path directory = null;
        try {
            directory = Files.createTempDirectory("pgwarden-oidc-it-");
            Path plugins = Files.createDirectories(directory.resolve("plugins"));
            Files.copy(jar, plugins.resolve("pgwarden-auth-oidc.jar"), StandardCopyOption.COPY_ATTRIBUTES);
            return new OidcPluginFixture(directory, plugins);
        } catch (IOException e) {
            if (directory != null) {
                FileTrees.deleteQuietly(directory);
            }
            throw new UncheckedIOException("could not prepare the plugins folder", e);
        }
    }

    Path directory() {
        return directory;
    }

    /** Writes {@code content} to {@code name} in the temporary folder, readable by the owner only. */
    Path writeFile(String name, String content) {
        Path file = directory.resolve(Objects.requireNonNull(name, "name"));
        try {
            Path written = Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    /** A {@code ${file:...}} reference to a new secret file holding {@code secret}. */
    String secretReference(String name, String secret) {
        return "${file:" + writeFile(name, secret) + "}";
    }

    /**
     * Starts a proxy from {@code yaml} (a complete configuration with its own {@code listen:}) with {@code plugins_dir}
     * set to the plugins folder. {@link #close()} closes it; {@link #stop(ProxyFixture)} closes it earlier.
     */
    ProxyFixture startProxy(String yaml) {
        ProxyFixture proxy = ProxyFixture.fromYaml(yaml + "\nplugins_dir: \"" + plugins + "\"\n", directory);
        proxies.add(proxy);
        return proxy;
    }

    void stop(ProxyFixture proxy) {
        if (proxies.remove(proxy)) {
            proxy.close();
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (ProxyFixture proxy : proxies) {
            try {
                proxy.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        proxies.clear();
        FileTrees.deleteQuietly(directory);
        if (failure != null) {
            throw failure;
        }
    }
}
