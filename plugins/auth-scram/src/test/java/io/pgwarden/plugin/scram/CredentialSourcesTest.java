package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.scram.Md5Password;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class CredentialSourcesTest {

    private final List<String> calls = new ArrayList<>();

    private CredentialSource source(String name, Map<String, StoredSecret> users) {
        return source(name, users, "broken");
    }

    /** A source that knows the users in its map, fails for {@code failsFor} unless it knows it, and records each call. */
    private CredentialSource source(String name, Map<String, StoredSecret> users, String failsFor) {
        return new CredentialSource() {
            @Override
            public CompletionStage<Optional<StoredSecret>> lookup(String backend, String database, String user) {
                calls.add(name + ":" + backend + "/" + database + "/" + user);
                if (user.equals(failsFor) && !users.containsKey(user)) {
                    return CompletableFuture.failedFuture(new IllegalStateException(name + " is down"));
                }
                return CompletableFuture.completedFuture(Optional.ofNullable(users.get(user)));
            }

            @Override
            public void close() {
                calls.add(name + ":close");
                if (name.startsWith("unclosable")) {
                    throw new IllegalStateException(name + " would not close");
                }
            }
        };
    }

    private static StoredSecret md5(String user) {
        return new StoredSecret.Md5(Md5Password.hash(user, "pw"));
    }

    @Test
    void firstSourceThatKnowsTheUserAnswersAndLaterOnesAreNotAsked() {
        StoredSecret alice = md5("alice");
        CredentialSources sources = new CredentialSources(List.of(source("userlist", Map.of("alice", alice)),
                source("auth_query", Map.of("alice", md5("other")))));

        assertThat(sources.lookup("pg", "appdb", "alice").toCompletableFuture().join()).containsSame(alice);
        assertThat(calls).containsExactly("userlist:pg/appdb/alice");
    }

    @Test
    void userUnknownToTheFirstIsAskedOfTheNext() {
        StoredSecret bob = md5("bob");
        CredentialSources sources = new CredentialSources(List.of(source("userlist", Map.of()), source("auth_query", Map.of("bob", bob))));

        assertThat(sources.lookup("pg", "appdb", "bob").toCompletableFuture().join()).containsSame(bob);
        assertThat(calls).containsExactly("userlist:pg/appdb/bob", "auth_query:pg/appdb/bob");
    }

    @Test
    void userUnknownToAllIsEmpty() {
        CredentialSources sources = new CredentialSources(List.of(source("userlist", Map.of()), source("auth_query", Map.of())));

        assertThat(sources.lookup("pg", "appdb", "mallory").toCompletableFuture().join()).isEmpty();
        assertThat(new CredentialSources(List.of()).lookup("pg", "appdb", "x").toCompletableFuture().join()).isEmpty();
    }

    @Test
    void failingSourceFailsTheLookupWhenNoEarlierSourceAnswered() {
        CredentialSources sources = new CredentialSources(List.of(source("userlist", Map.of()), source("auth_query", Map.of())));

        assertThatThrownBy(() -> sources.lookup("pg", "appdb", "broken").toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).hasRootCauseMessage("userlist is down");
        assertThat(calls).as("a failure is not papered over by asking the next source").containsExactly("userlist:pg/appdb/broken");
    }

    @Test
    void failingLaterSourceIsNotAskedWhenAnEarlierOneAnswered() {
        StoredSecret broken = md5("broken");
        CredentialSources sources = new CredentialSources(List.of(source("userlist", Map.of("broken", broken)),
                source("auth_query", Map.of())));

        assertThat(sources.lookup("pg", "appdb", "broken").toCompletableFuture().join()).containsSame(broken);
        assertThat(calls).containsExactly("userlist:pg/appdb/broken");
    }

    @Test
    void failingLaterSourceFailsTheLookupOfAUserTheEarlierOnesDoNotKnow() {
        CredentialSources sources = new CredentialSources(List.of(source("userlist", Map.of("alice", md5("alice")), "nobody"),
                source("auth_query", Map.of())));

        assertThatThrownBy(() -> sources.lookup("pg", "appdb", "broken").toCompletableFuture().join())
                .hasRootCauseMessage("auth_query is down");
        assertThat(calls).containsExactly("userlist:pg/appdb/broken", "auth_query:pg/appdb/broken");
    }

    @Test
    void sourceThatThrowsInsteadOfFailingTheStageStillFailsTheStage() {
        CredentialSource throwing = new CredentialSource() {
            @Override
            public CompletionStage<Optional<StoredSecret>> lookup(String backend, String database, String user) {
                throw new IllegalArgumentException("no backend named " + backend);
            }

            @Override
            public void close() {
            }
        };
        CompletableFuture<Optional<StoredSecret>> answer = new CredentialSources(List.of(source("userlist", Map.of()), throwing))
                .lookup("nope", "appdb", "alice").toCompletableFuture();

        assertThat(answer).isCompletedExceptionally();
        assertThatThrownBy(answer::join).hasRootCauseMessage("no backend named nope");
    }

    @Test
    void closeClosesEverySourceEvenWhenOneFails() {
        CredentialSources sources = new CredentialSources(List.of(source("unclosable-a", Map.of()), source("b", Map.of()),
                source("unclosable-c", Map.of())));

        assertThatThrownBy(sources::close).hasMessage("unclosable-a would not close")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().extracting(Throwable::getMessage)
                        .isEqualTo("unclosable-c would not close"));
        assertThat(calls).containsExactly("unclosable-a:close", "b:close", "unclosable-c:close");
    }
}
