package io.pgwarden.core.cli;

import io.pgwarden.core.admin.CoreVersion;
import io.pgwarden.spi.SpiVersion;
import picocli.CommandLine;

/** The version lines shown by {@code pgwarden version} and {@code --version}. */
final class PgwardenVersion implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {
            "pgwarden " + CoreVersion.get(),
            "plugin SPI " + SpiVersion.CURRENT,
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")",
        };
    }
}
