package com.example.dropguard;

import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.QueryContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Overrides {@link #onQuery} only: the proxy calls nothing else on it.
 */
final class DropGuardInterceptor implements Interceptor {

    private static final Pattern DROP_TABLE = Pattern.compile("\\bdrop\\s+table\\b", Pattern.CASE_INSENSITIVE);

    private final String group;
    private final Path membersFile;
    private final Executor blocking;
    private final Metrics.Counter refused;

    DropGuardInterceptor(String group, Path membersFile, Executor blocking, Metrics.Counter refused) {
        this.group = group;
        this.membersFile = membersFile;
        this.blocking = blocking;
        this.refused = refused;
    }

    @Override
    public Decision onQuery(QueryContext context) {
        if (!DROP_TABLE.matcher(context.sql()).find()) {
            return Decision.proceed();
        }
        Identity identity = context.session().identity().orElseThrow();
        if (identity.groups().contains(group)) {
            return Decision.proceed();
        }
        if (membersFile == null) {
            return refuse();
        }
        // Reading a file blocks: never on the event loop. The session waits without blocking it.
        String user = identity.databaseRole();
        return Decision.later(CompletableFuture
                .supplyAsync(() -> isListed(user), blocking)
                .thenApply(listed -> listed ? Decision.proceed() : refuse()));
    }

    private boolean isListed(String user) {
        try {
            return Files.readAllLines(membersFile).stream().map(String::trim).anyMatch(user::equals);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Decision refuse() {
        refused.increment();
        return Decision.reject("42501", "permission denied: DROP TABLE is reserved for members of " + group,
                "Ask a member of " + group + " to run it.");
    }
}
