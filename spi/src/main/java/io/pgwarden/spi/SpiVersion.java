package io.pgwarden.spi;

/**
 * The version of this API, {@code MAJOR.MINOR}.
 *
 * <p>A plugin declares the version it was built against in its jar manifest as
 * {@code Plugin-Requires: 1.0}. The proxy loads it when the major versions are equal and the
 * plugin's minor version is not newer than the proxy's; otherwise startup stops with a message
 * naming the plugin. Minor versions only add (new default methods, new record factories, and new
 * methods of interfaces that only the proxy implements, such as the hook contexts); a major
 * version may remove or change.
 *
 * <p>History: 1.0 the first; 1.1 {@code Authenticator.checkRuleOptions}, {@code Credential.Md5Hash};
 * 1.2 {@code AuthContext.expireAt}, the {@code role} parameter of {@code BackendLogin}; 1.3 the detail of
 * {@code AuthProtocolException}, {@code AuthMessageLengthException} and {@code AuthExchange.MAX_AUTH_MESSAGE_LENGTH};
 * 1.4 {@code Interceptor.onExecute} with {@code ExecuteContext}, {@code Interceptor.onRefused} with
 * {@code RefusalContext}, {@code Note} with {@code QueryContext.note}, {@code ResultSetContext.note} and
 * {@code CompletionContext.notes}, {@code CompletionContext.execute}, {@code Services.copyIn}; 1.5
 * {@code CompletionContext.sql}, {@code CompletionContext.statementIndex} and {@code CompletionContext.durationNanos};
 * 1.6 {@code ExecuteContext.parameterIsNull}.
 */
public final class SpiVersion {

    /** The major version: changes only when something a plugin may use is removed or changed. */
    public static final int MAJOR = 1;

    /** The minor version: grows when something is added. */
    public static final int MINOR = 6;

    /** {@code MAJOR.MINOR} as text, the form used in manifests. */
    public static final String CURRENT = MAJOR + "." + MINOR;

    private SpiVersion() {
    }

    /**
     * Tells whether a plugin that requires {@code required} can run against this API.
     *
     * @param required a version as {@code MAJOR.MINOR} (or {@code MAJOR}), as written in the manifest
     * @return true when the majors are equal and the required minor is not newer than {@link #MINOR}
     * @throws IllegalArgumentException when {@code required} is not a version
     */
    public static boolean isCompatible(String required) {
        if (required == null || !required.trim().matches("\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException("not a version: '" + required + "' (expected MAJOR.MINOR)");
        }
        String[] parts = required.trim().split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return major == MAJOR && minor <= MINOR;
    }
}
