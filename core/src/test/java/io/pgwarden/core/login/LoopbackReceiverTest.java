package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoopbackReceiverTest {

    private static final String STATE = "st-4f9a";

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI redirect(LoopbackReceiver receiver, String query) {
        return URI.create(receiver.redirectUri() + "?" + query);
    }

    @Test
    void listensOnTheLoopbackAddressAtCallback() {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(STATE)) {
            assertThat(receiver.redirectUri().toString()).matches("http://127\\.0\\.0\\.1:\\d+/callback");
        }
    }

    @Test
    void theRedirectWithTheRightStateDeliversTheCode() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(STATE)) {
            HttpResponse<String> page = get(redirect(receiver, "code=abc%2Fdef&state=" + STATE));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Signed in to pgwarden");
            assertThat(receiver.await(Duration.ofSeconds(5))).isEqualTo("abc/def");
            assertThat(get(redirect(receiver, "code=again&state=" + STATE)).statusCode()).isEqualTo(409);
        }
    }

    @Test
    void aWrongStateEndsTheLogin() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(STATE)) {
            HttpResponse<String> page = get(redirect(receiver, "code=abc&state=other"));
            assertThat(page.statusCode()).isEqualTo(400);
            assertThatThrownBy(() -> receiver.await(Duration.ofSeconds(5))).isInstanceOf(LoginException.class)
                    .hasMessageStartingWith("the browser's redirect carried a wrong state");
        }
    }

    @Test
    void aMissingStateEndsTheLogin() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(STATE)) {
            get(redirect(receiver, "code=abc"));
            assertThatThrownBy(() -> receiver.await(Duration.ofSeconds(5))).hasMessageContaining("wrong state");
        }
    }

    @Test
    void aSecondStateParameterCannotReplaceTheFirst() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(STATE)) {
            get(redirect(receiver, "code=abc&state=other&state=" + STATE));
            assertThatThrownBy(() -> receiver.await(Duration.ofSeconds(5))).hasMessageContaining("wrong state");
        }
    }

    @Test
    void theProvidersErrorIsShownAndEndsTheLogin() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(STATE)) {
            HttpResponse<String> page = get(redirect(receiver, "error=access_denied&error_description=User+said+%3Cno%3E"
                    + "&state=" + STATE));
            assertThat(page.statusCode()).isEqualTo(400);
            assertThat(page.body()).contains("access_denied").doesNotContain("<no>");
            assertThatThrownBy(() -> receiver.await(Duration.ofSeconds(5)))
                    .hasMessage("the identity provider refused the sign-in: access_denied (User said <no>)");
        }
    }

    @Test
    void theProvidersErrorCannotControlTheTerminal() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(STATE)) {
            get(redirect(receiver, "error=%1B%5D0%3Bx%07denied&error_description=%1B%5B2Jgone&state=" + STATE));
            assertThatThrownBy(() -> receiver.await(Duration.ofSeconds(5)))
                    .hasMessage("the identity provider refused the sign-in: ]0;xdenied ([2Jgone)");
        }
    }

    @Test
    void aRedirectWithoutCodeEndsTheLogin() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(STATE)) {
            get(redirect(receiver, "state=" + STATE));
            assertThatThrownBy(() -> receiver.await(Duration.ofSeconds(5)))
                    .hasMessage("the browser's redirect carried no authorization code");
        }
    }

    @Test
    void otherPathsAreNotTheCallback() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(STATE)) {
            URI favicon = receiver.redirectUri().resolve("/favicon.ico");
            assertThat(get(favicon).statusCode()).isEqualTo(404);
            assertThatThrownBy(() -> receiver.await(Duration.ofMillis(200))).hasMessageStartingWith("no sign-in arrived");
        }
    }
}
