package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.Services;

/** Reads the {@code provisioning} section into a {@link Provisioner}. */
final class Provisioning {

    private Provisioning() {
    }

    /**
     * Reads the {@code provisioning} section of the plugin's section.
     *
     * @param pluginSection the plugin's section
     * @param services the core's services (the admin side connection)
     * @return the provisioner, {@link Provisioner#NONE} without the section
     */
    static Provisioner fromConfig(PluginConfig pluginSection, Services services) {
        return Provisioner.NONE;
    }
}
