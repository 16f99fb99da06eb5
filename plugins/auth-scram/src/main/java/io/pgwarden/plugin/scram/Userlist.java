package io.pgwarden.plugin.scram;

import io.pgwarden.scram.ScramVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A userlist file in PgBouncer's {@code auth_file} format, parsed: one {@code "user" "secret"} per
 * line, {@code ""} standing for a quote inside a field; blank lines and lines starting with {@code #}
 * or {@code ;} are skipped; fields after the second are ignored, as PgBouncer does. The secret is a
 * SCRAM-SHA-256 verifier, an md5 hash or a plaintext password ({@link StoredSecret#parse}).
 *
 * <p>Errors name the file and the line and what is wrong, never the line's text: it holds a secret.
 */
final class Userlist {

    /** A larger file is refused: it is a mistake, and reading it would cost memory and time. */
    static final int MAX_FILE_BYTES = 16 * 1024 * 1024;

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final Map<String, StoredSecret> secrets;
    private final List<String> warnings;

    private Userlist(Map<String, StoredSecret> secrets, List<String> warnings) {
        this.secrets = Collections.unmodifiableMap(secrets);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads and parses a userlist file. Plaintext entries get a SCRAM verifier derived here (PBKDF2):
     * call on a loading thread, never an event loop.
     *
     * @param file the file
     * @param iterations the iteration count for verifiers derived from plaintext entries
     * @param previous the entries of the last good load, whose derived verifiers are reused for
     *     unchanged plaintext entries (no new PBKDF2 run, same salt); empty map for none
     * @return the entries
     * @throws IOException when the file cannot be read
     * @throws FormatException when the file is too large or a line is malformed
     */
    static Userlist read(Path file, int iterations, Map<String, StoredSecret> previous) throws IOException, FormatException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new FormatException(file.toString(), 0, "the file is larger than " + (MAX_FILE_BYTES >> 20)
                    + " MiB; a userlist this large is refused");
        }
        return parse(bytes, file.toString(), iterations, previous);
    }

    /**
     * Parses the bytes of a userlist file (UTF-8).
     *
     * @param bytes the file's content
     * @param fileName the file's name, for messages
     * @param iterations the iteration count for verifiers derived from plaintext entries
     * @param previous entries of an earlier load to reuse for unchanged plaintext entries
     * @return the entries
     * @throws FormatException when a line is malformed
     */
    static Userlist parse(byte[] bytes, String fileName, int iterations, Map<String, StoredSecret> previous) throws FormatException {
        Objects.requireNonNull(previous, "previous");
        checkIterations(iterations);
        Map<String, StoredSecret> secrets = new LinkedHashMap<>();
        Map<String, Integer> lineOfUser = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        int start = startsWith(bytes, UTF8_BOM) ? UTF8_BOM.length : 0;
        int lineNumber = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNumber++;
            int length = end - start;
            if (length > 0 && bytes[end - 1] == '\r') {
                length--;
            }
            String line = decode(bytes, start, length, fileName, lineNumber);
            start = end + 1;
            Entry entry = parseLine(line, fileName, lineNumber);
            if (entry == null) {
                continue;
            }
            Integer earlier = lineOfUser.put(entry.user(), lineNumber);
            if (earlier != null) {
                secrets.remove(entry.user());
                warnings.add(fileName + ":" + lineNumber + ": user \"" + entry.user() + "\" is listed again (first on line "
                        + earlier + "); the later line counts");
            }
            if (entry.secret().isEmpty()) {
                warnings.add(fileName + ":" + lineNumber + ": user \"" + entry.user()
                        + "\" has an empty secret and cannot log in with a password");
                continue;
            }
            secrets.put(entry.user(), secret(entry, previous.get(entry.user()), iterations, fileName, lineNumber));
        }
        return new Userlist(secrets, warnings);
    }

    /**
     * The users and their secrets.
     *
     * @return a read-only map
     */
    Map<String, StoredSecret> secrets() {
        return secrets;
    }

    /**
     * What the file does that works but is probably a mistake (duplicate users, empty secrets),
     * each naming file:line.
     *
     * @return the warnings
     */
    List<String> warnings() {
        return warnings;
    }

    /**
     * Checks an iteration count for derived verifiers; a bad one is the caller's mistake (the
     * plugin's settings check {@code iterations}), so it is not reported as a line of the file.
     *
     * @param iterations the count
     * @throws IllegalArgumentException outside 1..{@link ScramVerifier#MAX_ITERATIONS}
     */
    static void checkIterations(int iterations) {
        if (iterations < 1 || iterations > ScramVerifier.MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be 1 to " + ScramVerifier.MAX_ITERATIONS + ", found " + iterations);
        }
    }

    private static StoredSecret secret(Entry entry, StoredSecret previous, int iterations, String fileName, int lineNumber)
            throws FormatException {
        if (previous instanceof StoredSecret.Plain plain && plain.password().equals(entry.secret())
                && plain.verifier().iterations() == iterations) {
            return previous;
        }
        if (!ScramVerifier.isVerifier(entry.secret())) {
            return StoredSecret.parse(entry.secret(), iterations);
        }
        try {
            return StoredSecret.parse(entry.secret(), iterations);
        } catch (IllegalArgumentException e) {
            // ScramVerifier's messages never repeat the text.
            throw new FormatException(fileName, lineNumber, "the secret of user \"" + entry.user()
                    + "\" starts like a SCRAM verifier but is not a valid one: " + e.getMessage());
        }
    }

    /** Parses one line: null for a blank or comment line. Package-private for tests. */
    static Entry parseLine(String line, String fileName, int lineNumber) throws FormatException {
        int i = skipSpace(line, 0);
        if (i == line.length() || line.charAt(i) == '#' || line.charAt(i) == ';') {
            return null;
        }
        StringBuilder user = new StringBuilder();
        i = field(line, i, user, "user name", fileName, lineNumber);
        int afterUser = i;
        i = skipSpace(line, i);
        if (i == line.length()) {
            throw new FormatException(fileName, lineNumber, "a line needs two quoted fields, \"user\" \"secret\"; the secret is missing");
        }
        if (i == afterUser) {
            throw new FormatException(fileName, lineNumber, "text right after the user name's closing quote; separate the fields with a space");
        }
        StringBuilder secret = new StringBuilder();
        i = field(line, i, secret, "secret", fileName, lineNumber);
        // PgBouncer ignores whatever follows the second field; we want it at least separated from it.
        if (i < line.length() && !isSpace(line.charAt(i))) {
            throw new FormatException(fileName, lineNumber, "text right after the secret's closing quote");
        }
        if (user.length() == 0) {
            throw new FormatException(fileName, lineNumber, "the user name is empty");
        }
        return new Entry(user.toString(), secret.toString());
    }

    /** Reads a quoted field starting at {@code i}; returns the index after its closing quote. */
    private static int field(String line, int i, StringBuilder out, String what, String fileName, int lineNumber)
            throws FormatException {
        if (line.charAt(i) != '"') {
            throw new FormatException(fileName, lineNumber, "text outside quotes where the " + what
                    + " should start; write \"user\" \"secret\"");
        }
        i++;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    out.append('"');
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            if (c == '\0') {
                throw new FormatException(fileName, lineNumber, "the " + what + " contains a NUL character");
            }
            out.append(c);
            i++;
        }
        throw new FormatException(fileName, lineNumber, "the " + what + " has no closing quote");
    }

    private static int skipSpace(String line, int i) {
        while (i < line.length() && isSpace(line.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0B;
    }

    private static String decode(byte[] bytes, int start, int length, String fileName, int lineNumber) throws FormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(fileName, lineNumber, "the line is not valid UTF-8");
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * One line's fields. Never printed: {@link #toString()} hides the secret.
     *
     * @param user the user name
     * @param secret the secret text
     */
    record Entry(String user, String secret) {
        @Override
        public String toString() {
            return "Entry[" + user + ", ***]";
        }
    }

    /** A userlist that cannot be used; the message names file:line and never holds a secret. */
    static final class FormatException extends Exception {

        private static final long serialVersionUID = 1L;

        private final String file;
        private final int line;

        FormatException(String file, int line, String problem) {
            super((line > 0 ? file + ":" + line : file) + ": " + problem);
            this.file = file;
            this.line = line;
        }

        /** The file's name. */
        String file() {
            return file;
        }

        /** The line, from 1; 0 when the problem is the whole file. */
        int line() {
            return line;
        }
    }
}
