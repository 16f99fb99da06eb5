package io.pgwarden.plugin.scram;

import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.time.Duration;
import java.util.Set;

/**
 * The plugin's own settings from its YAML section: {@code iterations}, {@code md5} and the
 * {@code failures} section. The {@code userlist*} and {@code auth_query} keys belong to the credential
 * sources, which parse them; this class only checks that at least one source is configured and that
 * no unknown key is present.
 *
 * @param iterations the iteration count of verifiers the plugin derives (plaintext entries, mocks)
 * @param md5 whether the {@code md5} method may send md5 challenges
 * @param md5Path the YAML path of {@code md5}, for log reasons
 * @param failures the brute-force protection settings
 */
record ScramAuthSettings(int iterations, boolean md5, String md5Path, FailureThrottle.Settings failures) {

    static final String USERLIST = "userlist";
    static final String USERLIST_RELOAD_INTERVAL = "userlist_reload_interval";
    static final String AUTH_QUERY = "auth_query";

    private static final Set<String> KEYS = Set.of("iterations", "md5", USERLIST, USERLIST_RELOAD_INTERVAL, AUTH_QUERY, "failures");
    private static final Set<String> FAILURE_KEYS = Set.of("delay", "max_delay", "lockout_after", "lockout", "max_tracked");

    /**
     * Reads the settings.
     *
     * @param config the plugin's section
     * @return the settings
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static ScramAuthSettings parse(PluginConfig config) {
        for (String key : config.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(config.pathOf(key), "unknown setting; the scram plugin knows "
                        + "iterations, md5, userlist, userlist_reload_interval, auth_query and failures");
            }
        }
        if (!config.has(USERLIST) && !config.has(AUTH_QUERY)) {
            throw new PluginConfigException(config.path(), "needs userlist or auth_query: where users' secrets are found");
        }
        if (config.has(USERLIST_RELOAD_INTERVAL) && !config.has(USERLIST)) {
            throw new PluginConfigException(config.pathOf(USERLIST_RELOAD_INTERVAL), "applies to a userlist, and none is configured");
        }
        int iterations = config.integer("iterations", ScramVerifier.DEFAULT_ITERATIONS);
        if (iterations < 1 || iterations > ScramVerifier.MAX_ITERATIONS) {
            throw new PluginConfigException(config.pathOf("iterations"),
                    "must be 1 to " + ScramVerifier.MAX_ITERATIONS + " (PostgreSQL's default is 4096), found " + iterations);
        }
        boolean md5 = config.bool("md5", false);
        return new ScramAuthSettings(iterations, md5, config.pathOf("md5"), failures(config.section("failures")));
    }

    private static FailureThrottle.Settings failures(PluginConfig section) {
        for (String key : section.values().keySet()) {
            if (!FAILURE_KEYS.contains(key)) {
                throw new PluginConfigException(section.pathOf(key),
                        "unknown setting; failures knows delay, max_delay, lockout_after, lockout and max_tracked");
            }
        }
        Duration delay = section.duration("delay", Duration.ofMillis(200));
        Duration maxDelay = section.duration("max_delay", Duration.ofSeconds(5));
        if (maxDelay.compareTo(delay) < 0) {
            throw new PluginConfigException(section.pathOf("max_delay"), "must be at least delay (" + delay.toMillis() + "ms)");
        }
        int lockoutAfter = section.integer("lockout_after", 10);
        if (lockoutAfter < 0) {
            throw new PluginConfigException(section.pathOf("lockout_after"), "must be 0 (never lock out) or more, found " + lockoutAfter);
        }
        Duration lockout = section.duration("lockout", Duration.ofMinutes(5));
        if (lockout.isZero()) {
            throw new PluginConfigException(section.pathOf("lockout"),
                    "must be more than 0: failures are counted for this long after the last one");
        }
        int maxTracked = section.integer("max_tracked", 100_000);
        if (maxTracked < 1) {
            throw new PluginConfigException(section.pathOf("max_tracked"), "must be at least 1, found " + maxTracked);
        }
        return new FailureThrottle.Settings(delay, maxDelay, lockoutAfter, lockout, maxTracked);
    }
}
