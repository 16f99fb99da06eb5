package io.pgwarden.it.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reading of Keycloak's pages the browser relies on, including markup that would fool a naive pattern match. */
class HtmlPageTest {

    private static final URI PAGE = URI.create("http://127.0.0.1:8080/realms/pgwarden/device?user_code=AB");

    @Test
    void loginFormKeepsHiddenFieldsDecodesTheActionAndNamesItsButton() {
        HtmlPage page = HtmlPage.parse(PAGE, """
                <html><body id="keycloak-bg" data-page-id="login-login">
                <main>
                <form id="kc-form-login" onsubmit="login.disabled = true; return true;"
                      action="http://127.0.0.1:8080/realms/pgwarden/login-actions/authenticate?code=a&amp;execution=b"
                      method="post">
                  <input id="username" name="username" value="" type="text"/>
                  <input id="password" name="password" value="" type="password" aria-invalid=""/>
                  <input type="hidden" id="id-hidden-input" name="credentialId" />
                  <button class="pf" type="button" aria-label="Show password">eye</button>
                  <button name="login" id="kc-login" type="submit">Sign In</button>
                </form></main></body></html>
                """);

        HtmlForm form = page.form("kc-form-login").orElseThrow();

        assertThat(page.pageId()).isEqualTo("login-login");
        assertThat(form.action()).hasToString("http://127.0.0.1:8080/realms/pgwarden/login-actions/authenticate?code=a&execution=b");
        assertThat(form.method()).isEqualTo("POST");
        assertThat(form.fields()).containsOnlyKeys("username", "password", "credentialId");
        assertThat(form.buttons()).containsOnlyKeys("login");
        assertThat(form.body(Map.of("username", "a b", "password", "p&q=r"), "login"))
                .isEqualTo("username=a+b&password=p%26q%3Dr&credentialId=&login=");
    }

    @Test
    void relativeActionResolvesAgainstThePageAndQuotedAngleBracketsStayInTheAttribute() {
        HtmlPage page = HtmlPage.parse(PAGE, """
                <body data-page-id='login-login-oauth-grant'>
                <form title="a > b" action=/realms/pgwarden/login-actions/consent?x=1 method=POST>
                <input type=hidden name=code value='c&#x27;d&#39;e'><button name="accept" type="submit">Yes</button>
                <button name="cancel" type="submit" value="no">No</button></form></body>
                """);

        HtmlForm form = page.forms().get(0);

        assertThat(page.pageId()).isEqualTo("login-login-oauth-grant");
        assertThat(form.action()).hasToString("http://127.0.0.1:8080/realms/pgwarden/login-actions/consent?x=1");
        assertThat(form.fields()).containsExactly(Map.entry("code", "c'd'e"));
        assertThat(form.buttons()).containsEntry("accept", "").containsEntry("cancel", "no");
        assertThat(form.body(Map.of(), "accept")).isEqualTo("code=c%27d%27e&accept=");
    }

    @Test
    void messagesTitleAndTextSkipScriptsCommentsAndErrorContainers() {
        HtmlPage page = HtmlPage.parse(PAGE, """
                <html><head><title>Sign in to pgwarden</title><script>if (a < b) { document.write("<main>fake</main>"); }</script>
                <style>main > p { color: red }</style></head>
                <body data-page-id="login-login"><main><h1 id="kc-page-title"><!-- template: login.ftl --> Sign in</h1>
                <div class="pf-v5-c-alert pf-m-danger">
                  <span class="pf-v5-c-alert__title kc-feedback-text">Invalid code, &lt;please&gt; retry.</span></div>
                <div id="input-error-container-username"></div>
                <span id="input-error" class="pf-v5-c-helper-text__item-text">Invalid username or password.</span>
                </main><footer>not in main</footer></body></html>
                """);

        assertThat(page.title()).isEqualTo("Sign in");
        assertThat(page.messages()).isEqualTo("Invalid code, <please> retry. Invalid username or password.");
        assertThat(page.text()).isEqualTo("Sign in Invalid code, <please> retry. Invalid username or password.");
        assertThat(page.describe()).contains("page 'login-login' (Sign in)").contains("Invalid username or password.");
    }

    @Test
    void pageWithoutBodyIdOrFormsIsReadAsUnknown() {
        HtmlPage page = HtmlPage.parse(PAGE, "<p>Unexpected error when handling authentication request</p>");

        assertThat(page.pageId()).isEmpty();
        assertThat(page.forms()).isEmpty();
        assertThat(page.form("kc-form-login")).isEmpty();
        assertThat(page.title()).isEmpty();
        assertThat(page.text()).isEqualTo("Unexpected error when handling authentication request");
    }

    @Test
    void truncatedMarkupEndsWithoutLoopingOrThrowing() {
        for (String html : new String[] {"<", "<form", "<form action=\"/x", "<!-- open", "<input name=a value='b", "</",
                "a & b &#xZZ; &#0;", "<script>never closed", "<form><input name=a>"}) {
            HtmlPage page = HtmlPage.parse(PAGE, html);
            assertThat(page.forms()).hasSizeLessThanOrEqualTo(1);
            assertThat(page.text()).isNotNull();
        }
        assertThat(HtmlPage.parse(PAGE, "a & b &#xZZ; &#0; &bogus; &amp;").text()).isEqualTo("a & b &#xZZ; &#0; &bogus; &");
        assertThat(HtmlPage.parse(PAGE, "<form><input name=a value=1>").forms().get(0).fields()).containsEntry("a", "1");
    }

    @Test
    void submittingWithAFieldOrButtonTheFormLacksFails() {
        HtmlForm form = HtmlPage.parse(PAGE, "<form method=post><input name=code value=1><button name=accept>Yes</button></form>")
                .forms().get(0);

        assertThatThrownBy(() -> form.body(Map.of(), "login")).hasMessageContaining("no button 'login'");
        assertThatThrownBy(() -> form.body(Map.of("password", "s3cret-value"), "accept")).hasMessageContaining("no field 'password'")
                .hasMessageNotContaining("s3cret-value");
    }
}
