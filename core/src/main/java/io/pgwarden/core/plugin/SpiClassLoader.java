package io.pgwarden.core.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Objects;

/**
 * The parent of every plugin class loader: the JDK (platform loader) plus the SPI packages, and
 * nothing else. The core, Netty, PF4J and every other library on the proxy's class path stay
 * invisible to plugins, so a plugin may bundle its own versions of them (Trino's model).
 */
final class SpiClassLoader extends ClassLoader {

    static final String SPI_PACKAGE = "io.pgwarden.spi.";
    private static final String SPI_RESOURCE_PREFIX = "io/pgwarden/spi/";

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader spiLoader;

    /**
     * @param spiLoader the loader that defined the SPI classes (the application loader)
     */
    SpiClassLoader(ClassLoader spiLoader) {
        super("pgwarden-spi", ClassLoader.getPlatformClassLoader());
        this.spiLoader = Objects.requireNonNull(spiLoader, "spiLoader");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SPI_PACKAGE)) {
            return spiLoader.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        throw new ClassNotFoundException(name + " (plugins see only the JDK and " + SPI_PACKAGE + "*)");
    }

    @Override
    protected URL findResource(String name) {
        return name.startsWith(SPI_RESOURCE_PREFIX) ? spiLoader.getResource(name) : null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        return name.startsWith(SPI_RESOURCE_PREFIX) ? spiLoader.getResources(name) : Collections.emptyEnumeration();
    }
}
