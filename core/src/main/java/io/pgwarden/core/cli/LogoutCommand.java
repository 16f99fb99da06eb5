package io.pgwarden.core.cli;

import io.pgwarden.core.login.ProviderEndpoints;
import io.pgwarden.core.login.SignOut;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pgwarden logout}: revokes the profile's refresh token at the provider and deletes its cached tokens. */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = {"Delete the cached tokens of the login profile.",
            "The refresh token is revoked at the identity provider first when the provider",
            "offers revocation (a failed revocation is a warning). The profile's settings",
            "are kept. Exits 0, also when there was no login."})
final class LogoutCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ProfileOptions options;

    @Override
    public Integer call() {
        new SignOut(options.cache(), ProviderEndpoints::discover).run(options.name(), spec.commandLine().getErr());
        return ExitCode.OK;
    }
}
