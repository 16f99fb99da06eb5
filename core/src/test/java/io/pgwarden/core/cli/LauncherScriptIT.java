package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * distribution/src/main/bin/pgwarden in an installation layout built from this module's classes and
 * class path: it finds Java, finds its home through symbolic links, and passes the exit codes through.
 */
class LauncherScriptIT {

    private static final Path SCRIPT = Path.of("..", "distribution", "src", "main", "bin", "pgwarden");

    @TempDir
    Path home;

    private Path launcher;

    @BeforeEach
    void installation() throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path lib = Files.createDirectories(home.resolve("lib"));
        launcher = Files.copy(SCRIPT, bin.resolve("pgwarden"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        classPathJar(lib.resolve("test-class-path.jar"));
        Files.createDirectories(home.resolve("conf"));
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(Path command, Map<String, String> environment, String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(command.toString()));
        line.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private Result run(String... args) throws Exception {
        return run(launcher, Map.of("JAVA_HOME", System.getProperty("java.home")), args);
    }

    @Test
    void versionRunsAndExitsZero() throws Exception {
        Result result = run("version");
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).startsWith("pgwarden ").contains("plugin SPI " + io.pgwarden.spi.SpiVersion.CURRENT);
    }

    @Test
    void exitCodesPassThrough() throws Exception {
        assertThat(run("no-such-command").exitCode()).isEqualTo(2);
        Path bad = Files.writeString(home.resolve("conf").resolve("bad.yaml"), "listen: { port: x }\n");
        Result invalid = run("check-config", bad.toString());
        assertThat(invalid.exitCode()).isEqualTo(3);
        assertThat(invalid.output()).contains("listen.port: expected a port 0-65535, found 'x'");
    }

    @Test
    void serveWithoutArgumentsUsesTheInstallationsConfiguration() throws Exception {
        Files.writeString(home.resolve("conf").resolve("pgwarden.yaml"), "listen: { port: 70000 }\n");
        Result result = run("serve");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.output()).contains("listen.port: expected a port 0-65535, found '70000'");
    }

    @Test
    void passwdReadsThePasswordFromStandardInputAndPrintsOnlyTheLine() throws Exception {
        Process process = withJava(new ProcessBuilder(launcher.toString(), "passwd", "--iterations", "4096", "al\"ice")).start();
        process.getOutputStream().write("p\u00e4ss word\n".getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(err).isZero();
        assertThat(err).isEmpty();
        assertThat(out).matches("\"al\"\"ice\" \"SCRAM-SHA-256\\$4096:[^\"]+\"\n");
        String verifier = out.substring(out.indexOf("SCRAM"), out.length() - 2);
        assertThat(io.pgwarden.scram.ScramVerifier.parse(verifier).matchesPassword("p\u00e4ss word")).isTrue();

        Process empty = withJava(new ProcessBuilder(launcher.toString(), "passwd", "alice")).start();
        empty.getOutputStream().close();
        assertThat(empty.getInputStream().readAllBytes()).isEmpty();
        assertThat(new String(empty.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("pgwarden passwd: empty password refused");
        assertThat(empty.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(empty.exitValue()).isEqualTo(2);
    }

    @Test
    void logFormatComesFromTheEnvironmentAndMustBeTextOrJson() throws Exception {
        Result bad = run(launcher, Map.of("JAVA_HOME", System.getProperty("java.home"), "PGWARDEN_LOG_FORMAT", "xml"), "version");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.output()).contains("pgwarden: PGWARDEN_LOG_FORMAT must be text or json, found 'xml'");

        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Result json = run(launcher, Map.of("JAVA_HOME", System.getProperty("java.home"), "PGWARDEN_LOG_FORMAT", "json",
                    "PGWARDEN_LOG_LEVEL", "debug"), "serve", "--backend", "127.0.0.1:5432", "--listen",
                    "127.0.0.1:" + taken.getLocalPort());
            assertThat(json.exitCode()).isEqualTo(1);
            assertThat(json.output()).contains("\"level\":\"DEBUG\",\"logger\":\"io.pgwarden.core.cli.PgwardenCli\"",
                    "\"message\":\"serve failed\"");
        }
    }

    private static ProcessBuilder withJava(ProcessBuilder builder) {
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder;
    }

    @Test
    void findsItsHomeThroughASymbolicLink() throws Exception {
        Path link = Files.createSymbolicLink(home.resolve("pgwarden-link"), launcher);
        Result result = run(link, Map.of("JAVA_HOME", System.getProperty("java.home")), "version");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void missingJavaIsAClearRuntimeFailure() throws Exception {
        Result result = run(launcher, Map.of("JAVA_HOME", home.resolve("no-java").toString()), "version");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("pgwarden: cannot find java; set JAVA_HOME");
    }

    /** A jar whose manifest lists this test's class path, so that {@code lib/*} sees the same classes. */
    private static void classPathJar(Path jar) throws IOException {
        StringBuilder classPath = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            classPath.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath.toString().trim());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.flush();
        }
    }
}
