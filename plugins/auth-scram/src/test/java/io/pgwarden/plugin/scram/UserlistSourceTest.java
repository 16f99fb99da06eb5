package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserlistSourceTest {

    private static final String SECRET = "s3cr3t-Pa55";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path temp;

    private final SourceTestServices services = new SourceTestServices();
    private UserlistSource source;

    @AfterEach
    void closeSource() throws Exception {
        if (source != null) {
            source.close();
        }
        services.close();
    }

    private static PluginConfig section(Object... keysAndValues) {
        Map<String, Object> values = new HashMap<>();
        values.put("type", "scram");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new PluginConfig("plugins[0]", values);
    }

    private Path write(String name, String text) throws Exception {
        Path file = temp.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private UserlistSource open(Path file, String interval) {
        source = UserlistSource.fromConfig(section("userlist", file.toString(), "userlist_reload_interval", interval), services, 4096)
                .orElseThrow();
        return source;
    }

    private Optional<StoredSecret> lookup(String user) {
        CompletableFuture<Optional<StoredSecret>> answer = source.lookup("pg", "appdb", user).toCompletableFuture();
        assertThat(answer).as("a userlist lookup completes at once").isDone();
        return answer.join();
    }

    private static String password(Optional<StoredSecret> secret) {
        return ((StoredSecret.Plain) secret.orElseThrow()).password();
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static boolean pollerRunning() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals(UserlistSource.THREAD_NAME) && thread.isAlive());
    }

    @Test
    void sectionWithoutUserlistHasNoUserlistSource() {
        assertThat(UserlistSource.fromConfig(section("md5", "false"), services, 4096)).isEmpty();
    }

    @Test
    void reloadIntervalWithoutUserlistIsAConfigErrorAtItsPath() {
        assertThatThrownBy(() -> UserlistSource.fromConfig(section("userlist_reload_interval", "2s"), services, 4096))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[0].userlist_reload_interval: has no effect without userlist");
    }

    @Test
    void badReloadIntervalIsAConfigErrorAtItsPath() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n");

        assertThatThrownBy(() -> open(file, "soon"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[0].userlist_reload_interval: expected a duration");
    }

    @Test
    void emptyUserlistNameIsAConfigError() {
        assertThatThrownBy(() -> UserlistSource.fromConfig(section("userlist", " "), services, 4096))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[0].userlist: is empty");
    }

    @Test
    void missingFileIsAConfigErrorAtTheUserlistPath() {
        Path file = temp.resolve("absent.txt");

        assertThatThrownBy(() -> open(file, "0"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[0].userlist: cannot read " + file + ": NoSuchFileException");
    }

    @Test
    void malformedFileIsAConfigErrorNamingFileAndLineButNotTheSecret() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n\"bob\" \"" + SECRET + "\n");

        assertThatThrownBy(() -> open(file, "0"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[0].userlist: " + file + ":2: the secret has no closing quote")
                .message().doesNotContain(SECRET);
        assertThat(pollerRunning()).isFalse();
    }

    @Test
    void lookupAnswersFromMemoryAtOnce() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"" + SECRET + "\"\n");
        open(file, "0");

        assertThat(password(lookup("alice"))).isEqualTo(SECRET);
        assertThat(lookup("mallory")).isEmpty();
        assertThat(lookup("ALICE")).as("user names are case-sensitive, as in PostgreSQL").isEmpty();
        assertThat(services.logger.all()).doesNotContain(SECRET);
    }

    @Test
    void relativePathResolvesAgainstTheWorkingDirectory() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n");
        Path relative = Path.of("").toAbsolutePath().relativize(file);
        source = UserlistSource.fromConfig(section("userlist", relative.toString(), "userlist_reload_interval", "0"), services, 4096)
                .orElseThrow();

        assertThat(password(lookup("alice"))).isEqualTo("one");
        assertThat(source.toString()).contains(file.toString());
    }

    @Test
    void rewrittenFileIsReloadedWithoutRestart() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n");
        open(file, "20ms");
        assertThat(password(lookup("alice"))).isEqualTo("one");

        Files.writeString(file, "\"alice\" \"two-longer\"\n\"bob\" \"three\"\n");

        awaitTrue("the rewritten secret", () -> lookup("bob").isPresent());
        assertThat(password(lookup("alice"))).isEqualTo("two-longer");
        assertThat(services.logger.messages(Level.INFO)).last().asString().endsWith("reloaded: 2 user(s)");
    }

    @Test
    void fileReplacedByRenameIsReloaded() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n");
        open(file, "20ms");

        Path next = write("userlist.txt.new", "\"alice\" \"two\"\n");
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        awaitTrue("the renamed file's secret", () -> password(lookup("alice")).equals("two"));
    }

    @Test
    void rewriteOfTheSameSizeIsSeenByItsModificationTime() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n");
        FileTime before = Files.getLastModifiedTime(file);
        open(file, "20ms");

        Files.writeString(file, "\"alice\" \"two\"\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 1000));

        awaitTrue("the same-size rewrite", () -> password(lookup("alice")).equals("two"));
    }

    @Test
    void brokenRewriteKeepsTheOldEntriesAndLogsOneErrorUntilFixed() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n\"bob\" \"two\"\n");
        open(file, "20ms");

        Files.writeString(file, "\"alice\" \"changed\"\n\"bob\" \"" + SECRET + "\n");

        awaitTrue("an ERROR about the broken file", () -> !services.logger.messages(Level.ERROR).isEmpty());
        Thread.sleep(200); // ten more polls: the same broken file is not reported again
        assertThat(services.logger.messages(Level.ERROR)).singleElement().asString()
                .contains(file + ":2: the secret has no closing quote", "keeping the 2 user(s)")
                .doesNotContain(SECRET);
        assertThat(password(lookup("alice"))).isEqualTo("one");
        assertThat(password(lookup("bob"))).isEqualTo("two");

        Files.writeString(file, "\"alice\" \"fixed-now\"\n");
        awaitTrue("the fixed file", () -> lookup("bob").isEmpty());
        assertThat(password(lookup("alice"))).isEqualTo("fixed-now");
        assertThat(services.logger.messages(Level.ERROR)).hasSize(1);
    }

    @Test
    void deletedFileKeepsTheOldEntriesAndIsReadAgainWhenItReturns() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n");
        open(file, "20ms");

        Files.delete(file);
        awaitTrue("an ERROR about the missing file", () -> !services.logger.messages(Level.ERROR).isEmpty());
        assertThat(password(lookup("alice"))).isEqualTo("one");

        write("userlist.txt", "\"alice\" \"back-again\"\n");
        awaitTrue("the returned file", () -> password(lookup("alice")).equals("back-again"));
        assertThat(services.logger.messages(Level.ERROR)).hasSize(1);
    }

    @Test
    void pollerIsOneDaemonThreadThatStopsOnClose() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n");
        open(file, "20ms");

        awaitTrue("the poller thread", UserlistSourceTest::pollerRunning);
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(thread -> thread.getName().equals(UserlistSource.THREAD_NAME))
                .singleElement().matches(Thread::isDaemon, "is a daemon");
        source.close();
        source = null;
        assertThat(pollerRunning()).isFalse();
    }

    @Test
    void zeroIntervalNeverReloads() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n");
        open(file, "0");

        assertThat(pollerRunning()).isFalse();
        Files.writeString(file, "\"alice\" \"two-longer\"\n");
        source.checkForChanges(); // what polls would do; with interval 0 none runs
        assertThat(password(lookup("alice"))).as("a change is read once it has settled").isEqualTo("one");
        source.checkForChanges();
        assertThat(password(lookup("alice"))).isEqualTo("two-longer");
    }

    @Test
    void fileCaughtWhileBeingWrittenIsNotLoaded() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n\"bob\" \"two\"\n");
        open(file, "0");

        Files.writeString(file, ""); // a writer that truncated and has not written yet
        source.checkForChanges();
        Files.writeString(file, "\"alice\" \"one\"\n\"bob\" \"two\"\n\"carol\" \"three\"\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 1000));
        source.checkForChanges();
        assertThat(source.size()).as("the empty file was never loaded, the new one not yet").isEqualTo(2);

        source.checkForChanges();
        assertThat(source.size()).isEqualTo(3);
    }

    @Test
    void fileReadableByOthersIsWarnedAboutOnce() throws Exception {
        Path file = write("userlist.txt", "\"alice\" \"one\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        open(file, "20ms");

        Files.writeString(file, "\"alice\" \"two-longer\"\n");
        awaitTrue("the reload", () -> password(lookup("alice")).equals("two-longer"));
        assertThat(services.logger.messages(Level.WARNING)).singleElement().asString()
                .contains("readable by group or others", "chmod 600");
    }

    @Test
    void privateFileIsNotWarnedAbout() throws Exception {
        open(write("userlist.txt", "\"alice\" \"one\"\n"), "0");

        assertThat(services.logger.messages(Level.WARNING)).isEmpty();
    }

    @Test
    void duplicateUsersAreWarnedAboutAtLoad() throws Exception {
        open(write("userlist.txt", "\"alice\" \"one\"\n\"alice\" \"two\"\n"), "0");

        assertThat(password(lookup("alice"))).isEqualTo("two");
        assertThat(services.logger.messages(Level.WARNING)).singleElement().asString().contains("userlist.txt:2", "listed again");
    }
}
