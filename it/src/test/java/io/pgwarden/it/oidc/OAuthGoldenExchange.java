package io.pgwarden.it.oidc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One OAUTHBEARER exchange as a real PostgreSQL 18 server answered it, read from a fixture under
 * {@code it/src/test/resources/oauth-golden/} that bench/oauth-golden/capture.sh wrote: the messages in wire order
 * (client and server, type byte and body) and whether the server then had closed the connection.
 *
 * <p>The file format: {@code #} lines are comments; {@code meta KEY VALUE} lines say what the server was configured
 * with ({@code issuer}, {@code scope}) and the one {@code token} its validator accepted; {@code C|S TYPE HEX} lines
 * are messages ({@code -} as type for the untyped StartupMessage, {@code {xx*N}} in the hex for byte xx N times,
 * {@code p/N} for a message whose length field counts a body of N bytes of which only the hex was sent);
 * the last line is {@code S closed} or {@code S open}.
 *
 * @param name the exchange's name, the file name without {@code .txt}
 * @param meta the {@code meta} values by key
 * @param messages the messages in the order they crossed the wire
 * @param closedAtEnd whether the server had closed the connection after the last message
 */
record OAuthGoldenExchange(String name, Map<String, String> meta, List<Message> messages, boolean closedAtEnd) {

    /** Where the fixtures are on the class path. */
    static final String RESOURCE_DIRECTORY = "/oauth-golden/";

    private static final Pattern RUN = Pattern.compile("\\{([0-9a-f]{2})\\*([0-9]+)}");
    private static final Pattern MESSAGE = Pattern.compile("([CS]) ([-\\p{Graph}])(?:/([0-9]+))?(?: ([0-9a-f{}*]*))?");
    private static final HexFormat HEX = HexFormat.of();
    private static final int SHOWN = 48;

    /** Checks for null and copies. */
    OAuthGoldenExchange {
        Objects.requireNonNull(name, "name");
        meta = Map.copyOf(meta);
        messages = List.copyOf(messages);
    }

    /**
     * One message of the exchange.
     *
     * @param fromClient true for what the client sent, false for what the server sent
     * @param type the type byte, {@code 0} for the untyped StartupMessage
     * @param body the bytes after the length that were sent
     * @param length the body length the length field counts: {@code body.length} unless only a part was sent
     */
    record Message(boolean fromClient, char type, byte[] body, int length) {

        /** Checks for null and that the length counts at least the body. */
        Message {
            Objects.requireNonNull(body, "body");
            if (length < body.length) {
                throw new IllegalArgumentException("length " + length + " is shorter than the body");
            }
        }

        /** A message sent whole. */
        Message(boolean fromClient, char type, byte[] body) {
            this(fromClient, type, body, body.length);
        }

        /** The Int32 at the start of an Authentication message: 0 Ok, 10 SASL, 11 SASLContinue, 12 SASLFinal. */
        int authenticationCode() {
            return ByteBuffer.wrap(body).getInt();
        }

        @Override
        public String toString() {
            return (fromClient ? "C " : "S ") + (type == 0 ? "-" : String.valueOf(type)) + (length > body.length ? "/" + length : "")
                    + " " + HEX.formatHex(body, 0, Math.min(body.length, SHOWN));
        }
    }

    /** The names of all captured exchanges, in capture order, from {@code exchanges.txt}. */
    static List<String> names() {
        return read("exchanges.txt").stream().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    }

    /** Reads the fixture of exchange {@code name}. */
    static OAuthGoldenExchange load(String name) {
        List<String> lines = read(name + ".txt");
        Map<String, String> meta = new LinkedHashMap<>();
        List<Message> messages = new ArrayList<>();
        Boolean closed = null;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (closed != null) {
                throw new IllegalStateException(name + ": a line after the final S closed/open: " + line);
            }
            String[] parts = line.split(" ", 3);
            Matcher message = MESSAGE.matcher(line);
            if (parts[0].equals("meta") && parts.length == 3) {
                meta.put(parts[1], parts[2]);
            } else if (line.equals("S closed") || line.equals("S open")) {
                closed = line.equals("S closed");
            } else if (message.matches()) {
                char type = message.group(2).equals("-") ? 0 : message.group(2).charAt(0);
                byte[] body = bytes(message.group(4) == null ? "" : message.group(4));
                int length = message.group(3) == null ? body.length : Integer.parseInt(message.group(3));
                messages.add(new Message(message.group(1).equals("C"), type, body, length));
            } else {
                throw new IllegalStateException(name + ": unreadable fixture line: " + line);
            }
        }
        if (closed == null) {
            throw new IllegalStateException(name + ": the fixture does not end with S closed or S open");
        }
        return new OAuthGoldenExchange(name, meta, messages, closed);
    }

    /** A {@code meta} value. */
    String meta(String key) {
        String value = meta.get(key);
        if (value == null) {
            throw new IllegalStateException(name + ": no meta " + key);
        }
        return value;
    }

    /**
     * The client's messages with the fixture's token replaced by {@code token}; in the SASLInitialResponse (the
     * first SASL message) the Int32 length of the initial response is rewritten to match.
     */
    List<Message> withToken(String token) {
        byte[] from = meta("token").getBytes(StandardCharsets.US_ASCII);
        byte[] to = token.getBytes(StandardCharsets.US_ASCII);
        List<Message> replaced = new ArrayList<>();
        boolean initialSeen = false;
        for (Message message : messages) {
            boolean initial = message.fromClient() && message.type() == 'p' && !initialSeen;
            initialSeen |= initial;
            if (!message.fromClient() || message.type() != 'p' || !contains(message.body(), from)) {
                replaced.add(message);
            } else if (message.length() > message.body().length) {
                throw new IllegalStateException(name + ": the token is in a message that was only partly sent");
            } else if (initial) {
                replaced.add(new Message(true, 'p', replaceInInitialResponse(message.body(), from, to)));
            } else {
                replaced.add(new Message(true, 'p', replace(message.body(), from, to)));
            }
        }
        return replaced;
    }

    /** {@code bytes} with every occurrence of {@code from} replaced by {@code to}. */
    static byte[] replace(byte[] bytes, byte[] from, byte[] to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < bytes.length) {
            if (i + from.length <= bytes.length && Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
                out.writeBytes(to);
                i += from.length;
            } else {
                out.write(bytes[i++]);
            }
        }
        return out.toByteArray();
    }

    private static boolean contains(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] replaceInInitialResponse(byte[] body, byte[] from, byte[] to) {
        int nul = 0;
        while (body[nul] != 0) {
            nul++;
        }
        int length = ByteBuffer.wrap(body, nul + 1, 4).getInt();
        if (length < 0) {
            return body;
        }
        byte[] data = replace(Arrays.copyOfRange(body, nul + 5, nul + 5 + length), from, to);
        return ByteBuffer.allocate(nul + 5 + data.length).put(body, 0, nul + 1).putInt(data.length).put(data).array();
    }

    private static byte[] bytes(String hex) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Matcher run = RUN.matcher(hex);
        int at = 0;
        while (run.find()) {
            out.writeBytes(HEX.parseHex(hex, at, run.start()));
            byte value = (byte) HEX.fromHexDigits(run.group(1));
            for (int i = Integer.parseInt(run.group(2)); i > 0; i--) {
                out.write(value);
            }
            at = run.end();
        }
        out.writeBytes(HEX.parseHex(hex, at, hex.length()));
        return out.toByteArray();
    }

    private static List<String> read(String file) {
        try (InputStream in = OAuthGoldenExchange.class.getResourceAsStream(RESOURCE_DIRECTORY + file)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + RESOURCE_DIRECTORY + file + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
