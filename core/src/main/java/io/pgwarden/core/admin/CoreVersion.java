package io.pgwarden.core.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of the core jar, as {@code pgwarden version} and the admin console's {@code SHOW VERSION} report it. */
public final class CoreVersion {

    private static final String POM_PROPERTIES = "/META-INF/maven/io.pgwarden/pgwarden-core/pom.properties";
    private static final String UNKNOWN = "development build";

    private CoreVersion() {
    }

    /**
     * The version of the core jar, from the Maven metadata inside it.
     *
     * @return e.g. {@code 0.1.0}, or {@code development build} when running from compiled classes
     */
    public static String get() {
        try (InputStream in = CoreVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", UNKNOWN);
            }
        } catch (IOException e) {
            // an unreadable jar entry is reported as an unknown version, not as a failure
        }
        return UNKNOWN;
    }
}
