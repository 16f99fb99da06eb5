package io.pgwarden.core.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and validates the configuration file. Every problem is found before anything starts, each
 * with its YAML path; secret references in {@code login.password} are resolved here, while plugin
 * sections keep theirs for the plugin to resolve through {@code Services.resolveSecret}.
 *
 * <p>YAML is read safely: only maps, lists and plain values, no tags, a bounded number of aliases,
 * bounded nesting and a bounded document size.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * Loads a configuration file. Relative paths in it resolve against the file's directory.
     *
     * @param file the YAML file
     * @return the validated configuration
     * @throws ConfigException listing every problem, including a file that cannot be read
     */
    public static ProxyConfig load(Path file) {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath().normalize();
        return parse(read(absolute), absolute.getParent(), System::getenv);
    }

    /**
     * Parses configuration text, reading secret references from the process environment.
     *
     * @param yaml the YAML text
     * @param baseDirectory where relative paths resolve
     * @return the validated configuration
     * @throws ConfigException listing every problem
     */
    public static ProxyConfig parse(String yaml, Path baseDirectory) {
        return parse(yaml, baseDirectory, System::getenv);
    }

    /**
     * Parses configuration text with a given environment, for tests and embedding.
     *
     * @param yaml the YAML text
     * @param baseDirectory where relative paths resolve
     * @param environment looks up environment variables for {@code ${env:NAME}}; {@code null} when unset
     * @return the validated configuration
     * @throws ConfigException listing every problem
     */
    public static ProxyConfig parse(String yaml, Path baseDirectory, Function<String, String> environment) {
        Objects.requireNonNull(yaml, "yaml");
        Path base = baseDirectory.toAbsolutePath().normalize();
        Problems problems = new Problems();
        Node root = YamlDocument.read(yaml, problems);
        problems.throwIfAny();
        return new ConfigBinder(base, new SecretResolver(base, environment), problems).bind(root);
    }

    private static String read(Path file) {
        try {
            long size = Files.size(file);
            if (size > YamlDocument.MAX_CHARACTERS * 4L) {
                throw fileProblem(file, "is larger than " + YamlDocument.MAX_CHARACTERS + " characters");
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw fileProblem(file, "no such file");
        } catch (CharacterCodingException e) {
            throw fileProblem(file, "is not UTF-8 text");
        } catch (IOException e) {
            throw fileProblem(file, "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private static ConfigException fileProblem(Path file, String message) {
        return new ConfigException(List.of(file + ": " + message));
    }
}
