package io.pgwarden.core.cli;

import io.pgwarden.core.login.FreshTokens;
import io.pgwarden.core.login.LoginProfile;
import io.pgwarden.core.login.ProviderEndpoints;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgwarden token}: prints a fresh access token of the profile on standard output, refreshing it first when it
 * expires soon; for a client's password field or a script.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Print a fresh access token of the login profile.",
            "It goes to standard output, for a client's password (DBeaver, JDBC) or a",
            "script. A token that expires within",
            "--min-validity seconds is refreshed first. Exits 0 with the token, 1 when not",
            "logged in or the login expired (then run pgwarden login)."},
        footer = {"%nExamples:",
            "  PGPASSWORD=$(pgwarden token) psql \"host=pgwarden.internal sslmode=require\"",
            "  pgwarden token --profile staging --min-validity 600"})
final class TokenCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ProfileOptions options;

    @Option(names = "--min-validity", paramLabel = "SECONDS", converter = LoginConverters.Seconds.class,
            defaultValue = "60", description = "refresh when the token expires within this many seconds (default 60)")
    private Duration minValidity;

    @Override
    public Integer call() {
        String token = new FreshTokens(options.cache(), options.clock(), ProviderEndpoints::discover)
                .accessToken(options.name(), options.settings(LoginProfile.EMPTY), minValidity);
        PrintWriter out = spec.commandLine().getOut();
        out.println(token);
        out.flush();
        return ExitCode.OK;
    }
}
