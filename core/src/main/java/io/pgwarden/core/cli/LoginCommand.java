package io.pgwarden.core.cli;

import io.pgwarden.core.login.BrowserFlow;
import io.pgwarden.core.login.BrowserLauncher;
import io.pgwarden.core.login.CachedTokens;
import io.pgwarden.core.login.DeviceFlow;
import io.pgwarden.core.login.LoginProfile;
import io.pgwarden.core.login.ProfileFile;
import io.pgwarden.core.login.ProfileSettings;
import io.pgwarden.core.login.ProviderEndpoints;
import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgwarden login}: signs a person in at the identity provider, with the device flow (RFC 8628) or, where a
 * browser is at hand, the authorization code flow with PKCE through a loopback redirect, and caches the tokens for
 * {@code pgwarden token} and {@code pgwarden psql}. Settings given as flags are saved in the profile.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Sign in at the identity provider and cache the tokens.",
            "'pgwarden token' and 'pgwarden psql' use them. Uses the device flow (a code to",
            "approve in any browser) unless a browser can be opened here, then the browser",
            "sign-in with PKCE.",
            "Settings come from the flags, else PGWARDEN_* variables, else the profile in",
            "profiles.yaml; the flags given are saved in the profile after a good sign-in.",
            "Exits 0 when signed in, 1 when the sign-in failed, 2 on a wrong option."},
        footer = {"%nExamples:",
            "  pgwarden login --issuer https://login.example.com/realms/main \\",
            "      --client-id pgwarden --host pgwarden.internal --port 6432 \\",
            "      --dbname analytics --user alice",
            "  pgwarden login --device --profile staging"})
final class LoginCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ProfileOptions options;

    @Option(names = "--issuer", paramLabel = "URL", converter = LoginConverters.Issuer.class,
            description = "the OpenID provider's issuer, exactly as in its tokens")
    private URI issuer;

    @Option(names = "--client-id", paramLabel = "ID", description = "the public client registered for pgwarden login")
    private String clientId;

    @Option(names = "--scopes", paramLabel = "SCOPES", description = "scopes to ask for, separated by spaces (default: openid)")
    private String scopes;

    @Option(names = "--host", paramLabel = "HOST", description = "the proxy's host, for pgwarden psql")
    private String host;

    @Option(names = "--port", paramLabel = "PORT", converter = LoginConverters.Port.class,
            description = "the proxy's port, for pgwarden psql")
    private Integer port;

    @Option(names = "--sslmode", paramLabel = "MODE", converter = LoginConverters.Sslmode.class,
            description = "libpq's sslmode towards the proxy, for pgwarden psql (default: require)")
    private String sslmode;

    @Option(names = "--dbname", paramLabel = "NAME", description = "the database, for pgwarden psql")
    private String dbname;

    @Option(names = "--user", paramLabel = "NAME", description = "the database user, for pgwarden psql")
    private String user;

    @ArgGroup(exclusive = true)
    private Flow flow;

    @Option(names = "--no-open", description = "with the browser sign-in: print the URL only, do not open a browser")
    private boolean noOpen;

    /** {@code --device} or {@code --browser}. */
    static final class Flow {
        @Option(names = "--device", required = true, description = "use the device flow (default without a browser here)")
        boolean device;

        @Option(names = "--browser", required = true,
                description = "use the browser sign-in with PKCE and a redirect to 127.0.0.1 (default with a browser here)")
        boolean browser;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        String name = options.name();
        ProfileFile file = options.file();
        LoginProfile flags = new LoginProfile(issuer, clientId, scopes == null ? null : LoginProfile.parseScopes(scopes),
                host, port, sslmode, dbname, user);
        LoginProfile settings = ProfileSettings.requireProvider(name, options.settings(flags), file);
        ProviderEndpoints provider = ProviderEndpoints.discover(settings.issuer());
        BrowserLauncher browser = BrowserLauncher.system(options.environment());
        List<String> asked = settings.scopesOrDefault();
        CachedTokens tokens = useBrowser(browser, provider)
                ? new BrowserFlow(options.clock()).run(provider, settings.clientId(), asked, err, noOpen ? null : browser)
                : new DeviceFlow(options.clock()).run(provider, settings.clientId(), asked, err);
        options.cache().write(name, tokens);
        if (!flags.equals(LoginProfile.EMPTY)) {
            file.update(name, flags);
            err.println("Saved the settings of profile " + name + " in " + file.path() + ".");
        }
        err.println("Logged in with profile " + name + " at " + settings.issuer() + "."
                + (tokens.expiresAt() == null ? "" : " The access token is valid until " + tokens.expiresAt() + ".")
                + (tokens.refreshToken() == null ? " The provider gave no refresh token: sign in again when it expires."
                        : " It is refreshed when needed."));
        err.flush();
        return ExitCode.OK;
    }

    private boolean useBrowser(BrowserLauncher browser, ProviderEndpoints provider) {
        if (flow != null) {
            return flow.browser;
        }
        return browser.available() || provider.deviceAuthorizationEndpoint() == null;
    }
}
