package io.pgwarden.testkit;

import io.pgwarden.core.embedded.FileTrees;
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
 * A plugin jar Maven built (its path in a system property the module's pom sets) copied into a
 * temporary {@code plugins/} folder, and proxies that load it from there as an installation does. The
 * plugin's classes stay off the test class path, so tests see only what a client sees. Also writes the
 * files a configuration names (userlists, secret files, CA files) into the same temporary folder;
 * {@link #close()} closes every proxy it started and deletes the folder.
 */
public class PluginInstallation implements AutoCloseable {

    private final Path directory;
    private final Path plugins;
    private final List<ProxyFixture> proxies = new ArrayList<>();

    /**
     * Copies the plugin jar into a new temporary plugins folder.
     *
     * @param jarProperty the system property holding the jar's path
     * @param module the plugin's module folder, e.g. {@code auth-scram}, for messages and file names
     */
    protected PluginInstallation(String jarProperty, String module) {
        Path jar = pluginJar(jarProperty, module);
        Path created = null;
        try {
            created = Files.createTempDirectory("pgwarden-" + module + "-it-");
            Path folder = Files.createDirectories(created.resolve("plugins"));
            Files.copy(jar, folder.resolve("pgwarden-" + module + ".jar"), StandardCopyOption.COPY_ATTRIBUTES);
            this.directory = created;
            this.plugins = folder;
        } catch (IOException e) {
            if (created != null) {
                FileTrees.deleteQuietly(created);
            }
            throw new UncheckedIOException("could not prepare the plugins folder", e);
        }
    }

    /**
     * The plugin jar Maven built for this run.
     *
     * @param jarProperty the system property holding its path
     * @param module the plugin's module folder, for the message when it is missing
     * @return the jar
     */
    public static Path pluginJar(String jarProperty, String module) {
        String path = System.getProperty(jarProperty);
        if (path == null || path.isBlank() || path.startsWith("${")) {
            throw new IllegalStateException("system property " + jarProperty + " is not set (found " + path
                    + "): run these ITs through Maven, which passes the " + module + " plugin jar's path");
        }
        Path jar = Path.of(path);
        if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
            throw new IllegalStateException(jarProperty + " names no plugin jar: " + jar
                    + " (package plugins/" + module + " first; the reactor build does)");
        }
        return jar;
    }

    /**
     * The temporary folder; configurations resolve relative paths against it.
     *
     * @return the folder
     */
    public Path directory() {
        return directory;
    }

    /**
     * The plugins folder holding the jar.
     *
     * @return the folder
     */
    public Path pluginsDirectory() {
        return plugins;
    }

    /**
     * Writes a file into the temporary folder, readable by the owner only.
     *
     * @param name the file name
     * @param content the text, written as UTF-8
     * @return the file
     */
    public Path writeFile(String name, String content) {
        Path file = directory.resolve(Objects.requireNonNull(name, "name"));
        try {
            Path written = Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    /**
     * A {@code ${file:...}} reference to a new secret file.
     *
     * @param name the file name
     * @param secret what the file holds
     * @return the reference
     */
    public String secretReference(String name, String secret) {
        return "${file:" + writeFile(name, secret) + "}";
    }

    /**
     * Starts a proxy from {@code yaml} with {@code plugins_dir} set to the plugins folder and, unless the
     * YAML starts with its own {@code listen:}, listening on {@code 127.0.0.1} on a free port.
     * {@link #close()} closes it; {@link #stop(ProxyFixture)} closes it earlier.
     *
     * @param yaml the configuration
     * @return the running proxy
     */
    public ProxyFixture startProxy(String yaml) {
        String listen = yaml.startsWith("listen:") ? "" : "listen: { host: 127.0.0.1, port: 0 }\n";
        ProxyFixture proxy = ProxyFixture.fromYaml(listen + yaml + "\nplugins_dir: \"" + plugins + "\"\n", directory);
        proxies.add(proxy);
        return proxy;
    }

    /**
     * Closes a proxy this installation started, before {@link #close()}.
     *
     * @param proxy the proxy
     */
    public void stop(ProxyFixture proxy) {
        if (proxies.remove(proxy)) {
            proxy.close();
        }
    }

    /** Closes every proxy it started, then deletes the temporary folder. */
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
