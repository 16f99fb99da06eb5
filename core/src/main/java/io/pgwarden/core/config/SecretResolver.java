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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves secret references so that secrets never sit in the configuration file:
 * {@code ${env:NAME}} is the value of an environment variable, {@code ${file:/path}} the content of
 * a file with one trailing newline removed (relative paths resolve against the configuration's
 * directory). Text around and between references is kept; text without references is returned as is.
 * Messages name the YAML path, the variable or the file, never the secret.
 */
public final class SecretResolver {

    /** A secret file larger than this is refused: secrets are short, and the file may be a mistake. */
    static final int MAX_SECRET_FILE_BYTES = 64 * 1024;

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern EXACTLY_ONE_REFERENCE = Pattern.compile("\\$\\{(env|file):[^}]+}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Path baseDirectory;
    private final Function<String, String> environment;

    /**
     * Creates a resolver.
     *
     * @param baseDirectory where relative {@code ${file:}} paths resolve, normally the configuration's directory
     * @param environment looks up environment variables; returns {@code null} when one is not set
     */
    public SecretResolver(Path baseDirectory, Function<String, String> environment) {
        this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /**
     * A resolver that reads the process environment.
     *
     * @param baseDirectory where relative {@code ${file:}} paths resolve
     * @return the resolver
     */
    public static SecretResolver forDirectory(Path baseDirectory) {
        return new SecretResolver(baseDirectory, System::getenv);
    }

    /**
     * Whether the text is exactly one {@code ${env:NAME}} or {@code ${file:PATH}} reference and nothing else.
     *
     * @param text the text
     * @return true when it is a single reference
     */
    public static boolean isReference(String text) {
        return text != null && EXACTLY_ONE_REFERENCE.matcher(text.trim()).matches();
    }

    /**
     * Replaces every reference in the text by the secret it names.
     *
     * @param text the text from the configuration
     * @param yamlPath the YAML path of the value, for messages
     * @return the text with its references resolved
     * @throws ConfigException naming the YAML path when a variable is not set, a file cannot be read, or a
     *                         reference is malformed
     */
    public String resolve(String text, String yamlPath) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(yamlPath, "yamlPath");
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder result = new StringBuilder(text.length());
        int end = 0;
        while (matcher.find()) {
            result.append(text, end, matcher.start()).append(lookUp(matcher.group(1), yamlPath));
            end = matcher.end();
        }
        if (end == 0 && text.contains("${")) {
            throw problem(yamlPath, "unterminated secret reference; write ${env:NAME} or ${file:/path}");
        }
        return result.append(text, end, text.length()).toString();
    }

    private String lookUp(String reference, String yamlPath) {
        int colon = reference.indexOf(':');
        String scheme = colon < 0 ? reference : reference.substring(0, colon);
        String argument = colon < 0 ? "" : reference.substring(colon + 1).trim();
        return switch (scheme.trim()) {
            case "env" -> environmentVariable(argument, yamlPath);
            case "file" -> fileContent(argument, yamlPath);
            default -> throw problem(yamlPath, "unknown secret reference '${" + scheme.trim()
                    + ":...}'; write ${env:NAME} or ${file:/path}");
        };
    }

    private String environmentVariable(String name, String yamlPath) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw problem(yamlPath, "'" + name + "' is not an environment variable name");
        }
        String value = environment.apply(name);
        if (value == null) {
            throw problem(yamlPath, "environment variable " + name + " is not set");
        }
        return value;
    }

    private String fileContent(String name, String yamlPath) {
        if (name.isEmpty()) {
            throw problem(yamlPath, "${file:} needs a path");
        }
        Path file = baseDirectory.resolve(name).normalize();
        try {
            if (!Files.isRegularFile(file)) {
                throw problem(yamlPath, "secret file " + file + " does not exist or is not a regular file");
            }
            if (Files.size(file) > MAX_SECRET_FILE_BYTES) {
                throw problem(yamlPath, "secret file " + file + " is larger than " + MAX_SECRET_FILE_BYTES + " bytes");
            }
            String content = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
            if (content.endsWith("\r\n")) {
                return content.substring(0, content.length() - 2);
            }
            return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        } catch (NoSuchFileException e) {
            throw problem(yamlPath, "secret file " + file + " does not exist");
        } catch (CharacterCodingException e) {
            throw problem(yamlPath, "secret file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw problem(yamlPath, "cannot read secret file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private static ConfigException problem(String yamlPath, String message) {
        return new ConfigException(List.of(yamlPath + ": " + message));
    }

    @Override
    public String toString() {
        return "SecretResolver[" + baseDirectory + "]";
    }
}
