package io.pgwarden.it.login;

import io.pgwarden.testkit.PluginInstallation;

/** The real auth-oidc plugin jar installed in a temporary plugins folder, for the login end-to-end tests. */
final class LoginPluginFixture extends PluginInstallation {

    private LoginPluginFixture() {
        super("pgwarden.plugin.auth-oidc", "auth-oidc");
    }

    /** Installs the plugin jar Maven built (it/pom.xml passes its path). */
    static LoginPluginFixture create() {
        return new LoginPluginFixture();
    }
}
