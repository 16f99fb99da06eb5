package io.pgwarden.it.oidc;

import io.pgwarden.testkit.PluginInstallation;

/**
 * The real auth-oidc plugin jar (the shaded jar Maven built, passed in system property {@value #JAR_PROPERTY})
 * installed in a temporary plugins folder; see {@link PluginInstallation}.
 */
final class OidcPluginFixture extends PluginInstallation {

    /** The system property holding the plugin jar's path; set by it/pom.xml. */
    static final String JAR_PROPERTY = "pgwarden.plugin.auth-oidc";

    private OidcPluginFixture() {
        super(JAR_PROPERTY, "auth-oidc");
    }

    static OidcPluginFixture create() {
        return new OidcPluginFixture();
    }
}
