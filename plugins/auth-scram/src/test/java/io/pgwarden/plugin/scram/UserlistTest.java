package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.scram.Md5Password;
import io.pgwarden.scram.ScramVerifier;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UserlistTest {

    private static final String SECRET = "s3cr3t-Pa55";
    private static final int ITERATIONS = 4096;

    @TempDir
    Path temp;

    private static Userlist parse(String text) throws Userlist.FormatException {
        return Userlist.parse(text.getBytes(StandardCharsets.UTF_8), "userlist.txt", ITERATIONS, Map.of());
    }

    private static Userlist.FormatException failure(String text) {
        try {
            parse(text);
        } catch (Userlist.FormatException e) {
            return e;
        }
        throw new AssertionError("parsed without an error: a malformed line was accepted");
    }

    @Test
    void readsScramVerifiersMd5HashesAndPlaintextPasswords() throws Exception {
        String verifier = ScramVerifier.generate("pencil", ITERATIONS).encode();
        String md5 = Md5Password.hash("bob", "builder");
        Userlist userlist = parse("\"alice\" \"" + verifier + "\"\n\"bob\" \"" + md5 + "\"\n\"carol\" \"" + SECRET + "\"\n");

        assertThat(userlist.secrets()).containsOnlyKeys("alice", "bob", "carol");
        assertThat(((StoredSecret.Scram) userlist.secrets().get("alice")).verifier().encode()).isEqualTo(verifier);
        assertThat(((StoredSecret.Md5) userlist.secrets().get("bob")).hash()).isEqualTo(md5);
        StoredSecret.Plain plain = (StoredSecret.Plain) userlist.secrets().get("carol");
        assertThat(plain.password()).isEqualTo(SECRET);
        assertThat(plain.verifier().matchesPassword(SECRET)).isTrue();
        assertThat(plain.verifier().iterations()).isEqualTo(ITERATIONS);
        assertThat(userlist.warnings()).isEmpty();
    }

    @Test
    void emptyFileHasNoUsers() throws Exception {
        assertThat(parse("").secrets()).isEmpty();
        assertThat(parse("\n\n   \n\t\n").secrets()).isEmpty();
    }

    @Test
    void commentAndBlankLinesAreSkipped() throws Exception {
        Userlist userlist = parse("""
                # "mallory" "not a user"
                ; "trudy" "nor this one"
                   # indented comment

                "alice" "one"
                """);

        assertThat(userlist.secrets()).containsOnlyKeys("alice");
    }

    @Test
    void doubledQuoteIsAQuoteInsideAField() throws Exception {
        Userlist userlist = parse("\"o\"\"brien\" \"pa\"\"ss\"\"\"\n");

        assertThat(userlist.secrets()).containsOnlyKeys("o\"brien");
        assertThat(((StoredSecret.Plain) userlist.secrets().get("o\"brien")).password()).isEqualTo("pa\"ss\"");
    }

    @Test
    void nonAsciiNamesAndPasswordsAreReadAsUtf8() throws Exception {
        Userlist userlist = parse("\"jürgen\" \"pässwörd\"\n\"用户\" \"密码\"\n");

        assertThat(userlist.secrets()).containsOnlyKeys("jürgen", "用户");
        assertThat(((StoredSecret.Plain) userlist.secrets().get("用户")).verifier().matchesPassword("密码")).isTrue();
    }

    @Test
    void windowsLineEndingsAndAByteOrderMarkAreAccepted() throws Exception {
        Userlist userlist = parse("\uFEFF\"alice\" \"one\"\r\n\"bob\" \"two\"\r\n");

        assertThat(userlist.secrets()).containsOnlyKeys("alice", "bob");
        assertThat(((StoredSecret.Plain) userlist.secrets().get("alice")).password()).isEqualTo("one");
    }

    @Test
    void fieldsAfterTheSecretAreIgnoredAsPgBouncerDoes() throws Exception {
        Userlist userlist = parse("\"alice\" \"one\" \"extra\" anything at all\n\t\"bob\"\t\"two\"\t\n");

        assertThat(userlist.secrets()).containsOnlyKeys("alice", "bob");
        assertThat(((StoredSecret.Plain) userlist.secrets().get("alice")).password()).isEqualTo("one");
    }

    @Test
    void laterLineForTheSameUserWinsWithAWarningNamingBothLines() throws Exception {
        Userlist userlist = parse("\"alice\" \"earlier-Pa55\"\n\"bob\" \"x\"\n\"alice\" \"" + SECRET + "\"\n");

        assertThat(((StoredSecret.Plain) userlist.secrets().get("alice")).password()).isEqualTo(SECRET);
        assertThat(userlist.warnings()).singleElement().asString()
                .contains("userlist.txt:3", "\"alice\"", "line 1").doesNotContain(SECRET).doesNotContain("earlier-Pa55");
    }

    @Test
    void emptySecretLeavesTheUserOutWithAWarning() throws Exception {
        Userlist userlist = parse("\"alice\" \"\"\n\"bob\" \"two\"\n");

        assertThat(userlist.secrets()).containsOnlyKeys("bob");
        assertThat(userlist.warnings()).singleElement().asString().contains("userlist.txt:1", "\"alice\"", "empty secret");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            unterminated user name      | '"alice'                          | the user name has no closing quote
            unterminated secret         | '"alice" "s3cr3t-Pa55'            | the secret has no closing quote
            unterminated escaped quote  | '"alice" "s3cr3t-Pa55""'          | the secret has no closing quote
            missing second field        | '"alice"'                         | the secret is missing
            missing second field spaces | '"alice"   '                      | the secret is missing
            unquoted line               | 'alice s3cr3t-Pa55'               | text outside quotes where the user name should start
            unquoted secret             | '"alice" s3cr3t-Pa55'             | text outside quotes where the secret should start
            text between the fields     | '"alice" x "s3cr3t-Pa55"'         | text outside quotes where the secret should start
            fields not separated        | '"alice""s3cr3t-Pa55"x'           | text right after the user name's closing quote
            text after the user name    | '"alice"x "s3cr3t-Pa55"'          | text right after the user name's closing quote
            text after the secret       | '"alice" "s3cr3t-Pa55"x'          | text right after the secret's closing quote
            empty user name             | '"" "s3cr3t-Pa55"'                | the user name is empty
            bad SCRAM verifier          | '"alice" "SCRAM-SHA-256$4096:s3cr3t-Pa55"' | starts like a SCRAM verifier but is not a valid one
            bad SCRAM iterations        | '"alice" "SCRAM-SHA-256$x:c2FsdA==$s3cr3t-Pa55:s3cr3t-Pa55"' | starts like a SCRAM verifier but is not a valid one
            """)
    void malformedLineIsRefusedNamingFileAndLineButNeverTheSecret(String name, String line, String problem) {
        Userlist.FormatException e = failure("# header\n\"bob\" \"fine\"\n" + line + "\n\"carol\" \"fine\"\n");

        assertThat(e.getMessage()).startsWith("userlist.txt:3: ").contains(problem).doesNotContain(SECRET);
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.file()).isEqualTo("userlist.txt");
    }

    @Test
    void invalidUtf8IsRefusedNamingTheLine() {
        byte[] bytes = {'"', 'a', '"', ' ', '"', (byte) 0xC3, (byte) 0x28, '"', '\n'};

        assertThatThrownBy(() -> Userlist.parse(bytes, "userlist.txt", ITERATIONS, Map.of()))
                .isInstanceOf(Userlist.FormatException.class)
                .hasMessage("userlist.txt:1: the line is not valid UTF-8");
    }

    @Test
    void nulCharacterInAFieldIsRefused() {
        assertThat(failure("\"al\0ice\" \"x\"\n").getMessage()).isEqualTo("userlist.txt:1: the user name contains a NUL character");
    }

    @Test
    void fileLargerThan16MiBIsRefusedBeforeItIsParsed() throws Exception {
        Path file = temp.resolve("huge.txt");
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.setLength(Userlist.MAX_FILE_BYTES + 1L);
        }

        assertThatThrownBy(() -> Userlist.read(file, ITERATIONS, Map.of()))
                .isInstanceOf(Userlist.FormatException.class)
                .hasMessage(file + ": the file is larger than 16 MiB; a userlist this large is refused");
    }

    @Test
    void fileOfExactly16MiBIsRead() throws Exception {
        Path file = temp.resolve("big.txt");
        byte[] bytes = new byte[Userlist.MAX_FILE_BYTES];
        java.util.Arrays.fill(bytes, (byte) '\n');
        byte[] line = "\"alice\" \"one\"".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(line, 0, bytes, 0, line.length);
        Files.write(file, bytes);

        assertThat(Userlist.read(file, ITERATIONS, Map.of()).secrets()).containsOnlyKeys("alice");
    }

    @Test
    void unchangedPlaintextEntryKeepsItsDerivedVerifierAndAChangedOneGetsANewOne() throws Exception {
        Userlist first = parse("\"alice\" \"one\"\n\"bob\" \"two\"\n");
        Userlist second = Userlist.parse("\"alice\" \"one\"\n\"bob\" \"changed\"\n".getBytes(StandardCharsets.UTF_8),
                "userlist.txt", ITERATIONS, first.secrets());

        assertThat(second.secrets().get("alice")).isSameAs(first.secrets().get("alice"));
        StoredSecret.Plain bob = (StoredSecret.Plain) second.secrets().get("bob");
        assertThat(bob.verifier().matchesPassword("changed")).isTrue();
        assertThat(bob.verifier().matchesPassword("two")).isFalse();
    }

    @Test
    void entryNeverPrintsItsSecret() throws Exception {
        assertThat(Userlist.parseLine("\"alice\" \"" + SECRET + "\"", "f", 1)).asString().doesNotContain(SECRET);
        assertThat(parse("\"alice\" \"" + SECRET + "\"\n").secrets()).asString().doesNotContain(SECRET);
    }

    @Test
    void badIterationCountIsTheCallersMistakeNotALineOfTheFile() {
        assertThatThrownBy(() -> Userlist.parse("\"alice\" \"one\"\n".getBytes(StandardCharsets.UTF_8), "userlist.txt", 0, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("iterations must be 1 to 10000000, found 0");
    }
}
