package io.pgwarden.plugin.scram;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A credential source over a map, for unit tests; can be told to fail like a database that is down. */
final class InMemoryCredentialSource implements CredentialSource {

    final Map<String, StoredSecret> secrets = new ConcurrentHashMap<>();
    final List<String> lookups = new CopyOnWriteArrayList<>();
    volatile RuntimeException failure;
    volatile boolean closed;

    InMemoryCredentialSource put(String user, StoredSecret secret) {
        secrets.put(user, secret);
        return this;
    }

    @Override
    public CompletionStage<Optional<StoredSecret>> lookup(String backend, String database, String user) {
        lookups.add(backend + "/" + database + "/" + user);
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(secrets.get(user)));
    }

    @Override
    public void close() {
        closed = true;
    }
}
