package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretResolverTest {

    @TempDir
    Path dir;

    private SecretResolver resolver() {
        return new SecretResolver(dir, Map.of("DB_PW", "pa$$word", "EMPTY", "")::get);
    }

    private String problemOf(String text) {
        try {
            resolver().resolve(text, "x.y");
        } catch (ConfigException e) {
            assertThat(e.problems()).hasSize(1);
            return e.problems().get(0);
        }
        throw new AssertionError("expected a problem");
    }

    @Test
    void environmentReferenceIsReplacedByTheVariable() {
        assertThat(resolver().resolve("${env:DB_PW}", "p")).isEqualTo("pa$$word");
        assertThat(resolver().resolve("${env:EMPTY}", "p")).isEmpty();
    }

    @Test
    void textAroundReferencesIsKept() {
        assertThat(resolver().resolve("user=${env:DB_PW};again=${env:DB_PW}", "p")).isEqualTo("user=pa$$word;again=pa$$word");
        assertThat(resolver().resolve("plain text $ {x}", "p")).isEqualTo("plain text $ {x}");
    }

    @Test
    void fileReferenceLosesOneTrailingNewline() throws IOException {
        Files.writeString(dir.resolve("a"), "secret\n");
        Files.writeString(dir.resolve("b"), "secret\r\n");
        Files.writeString(dir.resolve("c"), "secret\n\n");
        Path absolute = Files.writeString(dir.resolve("d"), "abs");
        assertThat(resolver().resolve("${file:a}", "p")).isEqualTo("secret");
        assertThat(resolver().resolve("${file:b}", "p")).isEqualTo("secret");
        assertThat(resolver().resolve("${file:c}", "p")).isEqualTo("secret\n");
        assertThat(resolver().resolve("${file:" + absolute + "}", "p")).isEqualTo("abs");
    }

    @Test
    void missingVariableIsAProblemNamingThePath() {
        assertThat(problemOf("${env:NOPE}")).isEqualTo("x.y: environment variable NOPE is not set");
    }

    @Test
    void missingFileIsAProblemNamingThePath() {
        assertThat(problemOf("${file:nope.txt}")).isEqualTo("x.y: secret file " + dir.resolve("nope.txt")
                + " does not exist or is not a regular file");
        assertThat(problemOf("${file:}")).isEqualTo("x.y: ${file:} needs a path");
    }

    @Test
    void oversizedOrBinaryFilesAreRefusedWithoutTheirContent() throws IOException {
        Files.writeString(dir.resolve("big"), "s".repeat(SecretResolver.MAX_SECRET_FILE_BYTES + 1));
        Files.write(dir.resolve("bin"), new byte[] {(byte) 0xFF, (byte) 0xFE, 's'});
        assertThat(problemOf("${file:big}")).contains("is larger than").doesNotContain("sss");
        assertThat(problemOf("${file:bin}")).endsWith("is not UTF-8 text");
    }

    @Test
    void malformedReferencesAreProblems() {
        assertThat(problemOf("${vault:x}")).isEqualTo("x.y: unknown secret reference '${vault:...}'; write ${env:NAME} or ${file:/path}");
        assertThat(problemOf("${env:NOT-A-NAME}")).isEqualTo("x.y: 'NOT-A-NAME' is not an environment variable name");
        assertThat(problemOf("${env:DB_PW")).isEqualTo("x.y: unterminated secret reference; write ${env:NAME} or ${file:/path}");
    }

    @Test
    void secretNeverAppearsInMessagesOrToString() {
        String problem = problemOf("${env:DB_PW}${env:NOPE}");
        assertThat(problem).doesNotContain("pa$$word");
        assertThat(resolver().toString()).doesNotContain("pa$$word");
    }

    @Test
    void isReferenceAcceptsOnlyOneWholeReference() {
        assertThat(SecretResolver.isReference("${env:A}")).isTrue();
        assertThat(SecretResolver.isReference("${file:/run/secrets/pw}")).isTrue();
        assertThat(SecretResolver.isReference("x${env:A}")).isFalse();
        assertThat(SecretResolver.isReference("hunter2")).isFalse();
        assertThat(SecretResolver.isReference("${vault:a}")).isFalse();
        assertThat(SecretResolver.isReference(null)).isFalse();
    }

    @Test
    void unsetVariablesFailLoudly() {
        assertThatThrownBy(() -> SecretResolver.forDirectory(dir).resolve("${env:PGWARDEN_TEST_SURELY_UNSET_VARIABLE}", "p"))
                .isInstanceOf(ConfigException.class);
    }
}
