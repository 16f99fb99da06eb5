package io.pgwarden.core.cli;

import io.pgwarden.spi.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** The version lines shown by {@code pgwarden version} and {@code --version}. */
final class PgwardenVersion implements CommandLine.IVersionProvider {

    private static final String POM_PROPERTIES = "/META-INF/maven/io.pgwarden/pgwarden-core/pom.properties";

    /**
     * The version of the core jar, from the Maven metadata inside it.
     *
     * @return e.g. {@code 0.1.0}, or {@code development build} when running from compiled classes
     */
    static String coreVersion() {
        try (InputStream in = PgwardenVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "development build");
            }
        } catch (IOException e) {
            // an unreadable jar entry is reported as an unknown version, not as a failure of `version`
        }
        return "development build";
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "pgwarden " + coreVersion(),
            "plugin SPI " + SpiVersion.CURRENT,
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")",
        };
    }
}
