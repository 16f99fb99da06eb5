package io.pgwarden.core.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Builds audit files by the format of docs/audit.md, independently of the plugin that writes them. */
public final class ChainFixture {

    /** The checkpoint key of {@link #checkpoint()}. */
    public static final String KEY = "0123456789abcdef0123456789abcdef";

    private final List<String> lines = new ArrayList<>();
    private String prev = "0".repeat(64);

    /** Starts a file with its header. */
    public ChainFixture() {
        add("\"type\":\"header\",\"time\":\"2026-11-21T14:00:00Z\",\"stream\":\"test\",\"format\":1,\"previous_file\":null}");
    }

    /**
     * Appends a statement record.
     *
     * @param text the normalized text
     * @return this
     */
    public ChainFixture statement(String text) {
        return add("\"type\":\"statement\",\"time\":\"2026-11-21T14:00:01Z\",\"session\":\"s1\",\"text\":\"" + text + "\"}");
    }

    /**
     * Appends a checkpoint under {@link #KEY}.
     *
     * @return this
     */
    public ChainFixture checkpoint() {
        return checkpoint(KEY);
    }

    /**
     * Appends a checkpoint.
     *
     * @param key the key
     * @return this
     */
    public ChainFixture checkpoint(String key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String tag = HexFormat.of().formatHex(mac.doFinal((lines.size() + ":" + prev).getBytes(StandardCharsets.US_ASCII)));
            return add("\"type\":\"checkpoint\",\"time\":\"2026-11-21T14:00:02Z\",\"mac\":\"" + tag + "\"}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Appends a header as the table sink writes one when it continues a stream after a restart.
     *
     * @return this
     */
    public ChainFixture restart() {
        return add("\"type\":\"header\",\"time\":\"2026-11-21T14:00:03Z\",\"stream\":\"test\",\"format\":1,\"previous_seq\":"
                + (lines.size() - 1) + "}");
    }

    private ChainFixture add(String body) {
        String line = "{\"seq\":" + lines.size() + ",\"prev\":\"" + prev + "\"," + body;
        lines.add(line);
        try {
            prev = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /**
     * The lines so far.
     *
     * @return a mutable copy
     */
    public List<String> lines() {
        return new ArrayList<>(lines);
    }

    /**
     * The file content of some lines.
     *
     * @param lines the lines
     * @return them, each ending with a newline
     */
    public static String join(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }
}
