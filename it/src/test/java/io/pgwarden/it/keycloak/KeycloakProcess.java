package io.pgwarden.it.keycloak;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Keycloak distribution running as a child process: {@code bin/kc.sh start-dev} on {@code 127.0.0.1} and a free
 * port, with an in-memory database and the pgwarden realm imported at start. Its output goes to a file next to the
 * unpacked home, never to the test output; the bootstrap admin's password is random per start and kept in memory.
 */
final class KeycloakProcess {

    /** The system property Failsafe sets to the unpacked distribution (see it/pom.xml). */
    static final String HOME_PROPERTY = "pgwarden.keycloak.home";

    static final String ADMIN_USERNAME = "admin";

    private static final String PID_FILE = "keycloak.pids";
    private static final String REALM_RESOURCE = "/keycloak/pgwarden-realm.json";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 40;

    private static FileChannel homeLock;

    private final Process process;
    private final URI baseUri;
    private final String adminPassword;
    private final Path logFile;

    private KeycloakProcess(Process process, URI baseUri, String adminPassword, Path logFile) {
        this.process = process;
        this.baseUri = baseUri;
        this.adminPassword = adminPassword;
        this.logFile = logFile;
    }

    /** Starts Keycloak from the home named by {@value #HOME_PROPERTY} and waits until {@code realm} answers discovery. */
    static KeycloakProcess start(String realm) {
        Path home = home();
        claimHome(home);
        stopLeftovers(home);
        copyRealm(home);
        int port = freePort();
        String adminPassword = randomPassword();
        Path logFile = home.getParent().resolve("keycloak-server.log");
        ProcessBuilder builder = new ProcessBuilder(List.of(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--db=dev-mem", "--import-realm"))
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("KC_") || name.startsWith("JAVA_OPTS") || name.startsWith("QUARKUS_"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USERNAME);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        Process process;
        try {
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + home.resolve("bin/kc.sh"), e);
        }
        KeycloakProcess keycloak = new KeycloakProcess(process, URI.create("http://127.0.0.1:" + port), adminPassword, logFile);
        try {
            // Written twice: the script's pid at once (killing it ends the JVM it starts), the JVM's too once it runs.
            keycloak.writePids(home);
            keycloak.awaitReady(realm);
            keycloak.writePids(home);
        } catch (RuntimeException e) {
            keycloak.stop();
            throw e;
        }
        return keycloak;
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    URI baseUri() {
        return baseUri;
    }

    /** The bootstrap admin's password (master realm); never to be logged. */
    String adminPassword() {
        return adminPassword;
    }

    /** Where Keycloak's stdout and stderr go. */
    Path logFile() {
        return logFile;
    }

    /** Ends Keycloak and every process it started, and waits for them; forcibly when they do not end in time. */
    void stop() {
        endTree(process.toHandle(), Instant.now().plus(STOP_TIMEOUT));
        try {
            Files.deleteIfExists(logFile.resolveSibling(PID_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak stopped, but its pid file stays", e);
        }
    }

    /** Asks {@code root} and its descendants to end (SIGTERM), then waits; kills what is still there at the deadline. */
    private static void endTree(ProcessHandle root, Instant deadline) {
        List<ProcessHandle> tree = root.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        root.destroy();
        tree.forEach(handle -> awaitExit(handle, deadline));
        awaitExit(root, deadline);
    }

    private static void awaitExit(ProcessHandle handle, Instant deadline) {
        try {
            Duration left = Duration.between(Instant.now(), deadline);
            handle.onExit().get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            handle.destroyForcibly();
            handle.onExit().join();
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(String realm) {
        URI discovery = baseUri.resolve("/realms/" + realm + "/.well-known/openid-configuration");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant started = Instant.now();
        Instant deadline = started.plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with status " + process.exitValue() + " before it was ready; "
                        + logTail());
            }
            if (answers(http, discovery)) {
                return;
            }
            sleep(Duration.ofMillis(500));
        }
        throw new IllegalStateException("Keycloak did not answer " + discovery + " within " + READY_TIMEOUT.toSeconds() + " s; "
                + logTail());
    }

    private static boolean answers(HttpClient http, URI uri) {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Keycloak", e);
        }
    }

    /** The last lines of Keycloak's log, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return "last lines of " + logFile + ":\n" + String.join("\n", tail);
        } catch (IOException e) {
            return "its log " + logFile + " cannot be read: " + e.getMessage();
        }
    }

    /**
     * Takes the home for this JVM: a file lock next to it, held until the JVM ends (the system drops it even when the
     * JVM is killed), so two test JVMs never run Keycloak from one home and a leftover is known to be one.
     */
    private static void claimHome(Path home) {
        if (homeLock != null) {
            return;
        }
        Path lockFile = home.getParent().resolve("keycloak.lock");
        try {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                channel.close();
                throw new IllegalStateException("another test JVM runs Keycloak from " + home + " (it holds " + lockFile + ")");
            }
            homeLock = channel;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lockFile, e);
        }
    }

    /** Ends the processes a killed test JVM left running from this home (their ids are in the pid file). */
    private static void stopLeftovers(Path home) {
        Path pidFile = pidFile(home);
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            Instant deadline = Instant.now().plus(STOP_TIMEOUT);
            for (String line : Files.readAllLines(pidFile, StandardCharsets.US_ASCII)) {
                Optional<ProcessHandle> leftover = ProcessHandle.of(Long.parseLong(line.strip()))
                        .filter(handle -> handle.info().commandLine().map(command -> command.contains(home.toString())).orElse(false));
                leftover.ifPresent(handle -> endTree(handle, deadline));
            }
            Files.delete(pidFile);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read " + pidFile + " to stop a Keycloak left running", e);
        }
    }

    private void writePids(Path home) {
        List<String> pids = new ArrayList<>();
        pids.add(Long.toString(process.pid()));
        process.descendants().forEach(handle -> pids.add(Long.toString(handle.pid())));
        try {
            Files.write(pidFile(home), pids, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pidFile(home), e);
        }
    }

    private static Path pidFile(Path home) {
        return home.getParent().resolve(PID_FILE);
    }

    private static Path home() {
        String value = System.getProperty(HOME_PROPERTY);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + HOME_PROPERTY + " is not set: run the Keycloak tests through Failsafe"
                    + " (mvn -o verify -pl it -am -Dit.test=...), which unpacks the distribution into it/target/keycloak");
        }
        Path home = Path.of(value).toAbsolutePath();
        if (!Files.isExecutable(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException(HOME_PROPERTY + "=" + home + " holds no executable bin/kc.sh");
        }
        return home;
    }

    private static void copyRealm(Path home) {
        try (InputStream realm = KeycloakProcess.class.getResourceAsStream(REALM_RESOURCE)) {
            if (realm == null) {
                throw new IllegalStateException("test resource " + REALM_RESOURCE + " is missing");
            }
            Path importDir = Files.createDirectories(home.resolve("data/import"));
            Files.copy(realm, importDir.resolve("pgwarden-realm.json"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the realm into " + home.resolve("data/import"), e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback address", e);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Keycloak", e);
        }
    }
}
