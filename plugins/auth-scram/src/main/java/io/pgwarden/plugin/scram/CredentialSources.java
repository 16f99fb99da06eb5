package io.pgwarden.plugin.scram;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Several sources asked in order (the userlist, then auth_query): the first that knows the user
 * answers. A source that fails fails the lookup, since no earlier one knew the user and a later one
 * must not answer for a user the failing source might know differently.
 */
final class CredentialSources implements CredentialSource {

    private final List<CredentialSource> sources;

    /**
     * Creates the chain.
     *
     * @param sources the sources, asked in this order; closed by {@link #close()}
     */
    CredentialSources(List<CredentialSource> sources) {
        this.sources = List.copyOf(Objects.requireNonNull(sources, "sources"));
    }

    @Override
    public CompletionStage<Optional<StoredSecret>> lookup(String backend, String database, String user) {
        return ask(0, backend, database, user);
    }

    private CompletionStage<Optional<StoredSecret>> ask(int index, String backend, String database, String user) {
        if (index == sources.size()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletionStage<Optional<StoredSecret>> answer;
        try {
            answer = Objects.requireNonNull(sources.get(index).lookup(backend, database, user), "lookup returned null");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return answer.thenCompose(secret -> secret.isPresent()
                ? CompletableFuture.completedFuture(secret)
                : ask(index + 1, backend, database, user));
    }

    /** Closes every source, even when one fails to close; the first failure is thrown after. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (CredentialSource source : sources) {
            try {
                source.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "CredentialSources" + sources;
    }
}
