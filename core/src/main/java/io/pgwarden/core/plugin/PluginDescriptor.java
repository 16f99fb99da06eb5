package io.pgwarden.core.plugin;

import io.pgwarden.spi.SpiVersion;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * A plugin's manifest entries: {@code Plugin-Id}, {@code Plugin-Version} and {@code Plugin-Requires}
 * (the SPI version it was built against). {@code Plugin-Requires} is ours, checked with
 * {@link SpiVersion#isCompatible}, never handed to PF4J's version expressions.
 *
 * @param id the plugin id
 * @param version the plugin's own version
 * @param requires the SPI version it needs, {@code MAJOR.MINOR}
 */
record PluginDescriptor(String id, String version, String requires) {

    static final String PLUGIN_ID = "Plugin-Id";
    static final String PLUGIN_VERSION = "Plugin-Version";
    static final String PLUGIN_REQUIRES = "Plugin-Requires";

    /**
     * Whether a manifest declares a plugin at all.
     */
    static boolean declaresPlugin(Manifest manifest) {
        return manifest != null && manifest.getMainAttributes().getValue(PLUGIN_ID) != null;
    }

    /**
     * Reads and checks the entries.
     *
     * @param manifest the manifest
     * @param file the plugin file, for messages
     * @throws PluginLoadException when an entry is missing or the SPI version does not fit
     */
    static PluginDescriptor from(Manifest manifest, Path file) {
        if (!declaresPlugin(manifest)) {
            throw new PluginLoadException("plugin file " + file + " has no " + PLUGIN_ID
                    + " in its manifest; a plugin jar declares " + PLUGIN_ID + ", " + PLUGIN_VERSION
                    + " and " + PLUGIN_REQUIRES);
        }
        Attributes attributes = manifest.getMainAttributes();
        String id = attributes.getValue(PLUGIN_ID).trim();
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new PluginLoadException("plugin file " + file + " has an invalid " + PLUGIN_ID + " '" + id
                    + "' (letters, digits, '.', '_' and '-')");
        }
        String version = required(attributes, PLUGIN_VERSION, id, file);
        String requires = required(attributes, PLUGIN_REQUIRES, id, file);
        boolean compatible;
        try {
            compatible = SpiVersion.isCompatible(requires);
        } catch (IllegalArgumentException e) {
            throw new PluginLoadException("plugin '" + id + "' (" + file + ") has an invalid " + PLUGIN_REQUIRES
                    + " '" + requires + "'; write the SPI version it was built against, e.g. " + SpiVersion.CURRENT);
        }
        if (!compatible) {
            throw new PluginLoadException("plugin '" + id + "' (" + file + ") requires SPI " + requires
                    + " but this proxy provides SPI " + SpiVersion.CURRENT
                    + "; use a plugin version built for SPI " + SpiVersion.MAJOR + ".x");
        }
        return new PluginDescriptor(id, version, requires);
    }

    private static String required(Attributes attributes, String name, String id, Path file) {
        String value = attributes.getValue(name);
        if (value == null || value.isBlank()) {
            throw new PluginLoadException("plugin '" + id + "' (" + file + ") has no " + name + " in its manifest");
        }
        return value.trim();
    }
}
