package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.util.Objects;
import java.util.Optional;

/** Reads the {@code provisioning} section into a {@link Provisioner}. */
final class Provisioning {

    private Provisioning() {
    }

    /**
     * Reads the {@code provisioning} section of the plugin's section. The admin connection is opened at the first
     * login that provisions (a backend that is down at start does not stop pgwarden), through the core's shared side
     * connection pools.
     *
     * @param pluginSection the plugin's section
     * @param services the core's services (the admin side connection)
     * @return the provisioner, {@link Provisioner#NONE} without the section
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static Provisioner fromConfig(PluginConfig pluginSection, Services services) {
        Objects.requireNonNull(pluginSection, "pluginSection");
        Objects.requireNonNull(services, "services");
        Optional<ProvisioningSettings> parsed = ProvisioningSettings.fromConfig(pluginSection, services);
        if (parsed.isEmpty()) {
            return Provisioner.NONE;
        }
        ProvisioningSettings settings = parsed.get();
        Optional<RoleName> serviceAccount = serviceAccount(pluginSection);
        return new RoleProvisioner(settings, serviceAccount,
                backend -> services.dataSource(backend, settings.database(), settings.adminUser(), settings.adminPassword()),
                new ProvisioningMetrics(services.metrics()), services.logger());
    }

    /** {@code set_role.user}, which set-role provisioning grants each role to; SetRoleStrategy checks the section. */
    private static Optional<RoleName> serviceAccount(PluginConfig pluginSection) {
        if (!pluginSection.has(OidcAuthSettings.SET_ROLE_SECTION)) {
            return Optional.empty();
        }
        PluginConfig section = pluginSection.section(OidcAuthSettings.SET_ROLE_SECTION);
        String user = section.requireString("user").trim();
        Optional<String> problem = RoleName.problem(user);
        if (problem.isPresent()) {
            throw new PluginConfigException(section.pathOf("user"), "not a role name: " + problem.get());
        }
        return Optional.of(new RoleName(user));
    }
}
