package io.pgwarden.core.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the hash chain and the checkpoint MACs of one audit file or one table stream, from the format in docs/audit.md: each line
 * starts with {@code {"seq":N,"prev":"H","type":"T"}, the first is a header with seq 0, each {@code prev} is the
 * hex SHA-256 of the previous line's bytes, and each checkpoint's {@code mac} is the hex HMAC-SHA256 of
 * {@code "<seq>:<prev>"} under the checkpoint key. Reports the first broken link and why.
 */
public final class AuditChainVerifier {

    private static final Pattern RECORD = Pattern.compile(
            "^\\{\"seq\":(0|[1-9][0-9]{0,18}),\"prev\":\"([0-9a-f]{64})\",\"type\":\"([a-z_]+)\"[,}]");
    private static final Pattern CHECKPOINT = Pattern.compile(
            "^\\{\"seq\":[0-9]+,\"prev\":\"[0-9a-f]{64}\",\"type\":\"checkpoint\",\"time\":\"[^\"]*\",\"mac\":\"([0-9a-f]{64})\"}$");

    private final byte[] key;

    /**
     * A verifier.
     *
     * @param key the checkpoint key, or {@code null} to check the chain without the MACs
     */
    public AuditChainVerifier(byte[] key) {
        this.key = key == null ? null : key.clone();
    }

    /**
     * Verifies a file.
     *
     * @param file the audit file
     * @return what was found
     * @throws IOException when the file cannot be read
     */
    public AuditVerification verify(Path file) throws IOException {
        return verify(lines(Files.readAllBytes(file)).iterator(), RecordSource.FILE);
    }

    /**
     * Verifies a sequence of records from any source, in order: the lines of a file, or the records of a table's
     * stream ordered by seq. Reads each record once and keeps only the next one, so a source can stream.
     *
     * @param records the records' bytes, each without its newline
     * @param source how the source numbers its records and whether headers may occur inside it
     * @return what was found
     */
    public AuditVerification verify(Iterator<byte[]> records, RecordSource source) {
        Scan scan = new Scan(source);
        if (!records.hasNext()) {
            return scan.broken(0, source.emptyProblem());
        }
        MessageDigest sha256 = digest();
        String previousLineHash = null;
        byte[] current = records.next();
        for (long i = 0; current != null; i++) {
            byte[] next = records.hasNext() ? records.next() : null;
            String text = new String(current, StandardCharsets.UTF_8);
            Matcher record = RECORD.matcher(text);
            if (!record.find()) {
                return scan.broken(i, "not an audit record (garbage, or an edited line)");
            }
            long seq = Long.parseLong(record.group(1));
            String prev = record.group(2);
            String type = record.group(3);
            if (i == 0) {
                if (!type.equals("header") || seq != 0) {
                    return scan.broken(0, source.headlessProblem());
                }
                scan.previousHash = prev;
            } else {
                if (seq != i) {
                    return scan.broken(i, sequenceProblem(next, i, seq));
                }
                if (!prev.equals(previousLineHash)) {
                    String before = source.name(i - 1);
                    return scan.broken(i, "prev does not match the hash of " + before + ": " + before + " was edited");
                }
                if (type.equals("header") && !source.headersInside()) {
                    return scan.broken(i, "a second header inside the file");
                }
            }
            if (type.equals("checkpoint")) {
                Matcher checkpoint = CHECKPOINT.matcher(text);
                if (!checkpoint.matches()) {
                    return scan.broken(i, "a malformed checkpoint record");
                }
                if (key != null && !checkpoint.group(1).equals(mac(seq + ":" + prev))) {
                    return scan.broken(i,
                            "the checkpoint MAC does not match: the chain up to here was rewritten, or the key is wrong");
                }
                scan.checkpoints++;
                scan.uncovered = 0;
            } else if (i > 0) {
                scan.uncovered++;
            }
            scan.records++;
            scan.closed = type.equals("checkpoint");
            previousLineHash = HexFormat.of().formatHex(sha256.digest(current));
            current = next;
        }
        return scan.intact();
    }

    private static String sequenceProblem(byte[] next, long index, long seq) {
        if (seq > index) {
            if (next != null) {
                Matcher following = RECORD.matcher(new String(next, StandardCharsets.UTF_8));
                if (following.find() && Long.parseLong(following.group(1)) == index) {
                    return "record seq " + seq + " comes before seq " + index + ": records were reordered";
                }
            }
            long missing = seq - index;
            return "seq jumps from " + (index - 1) + " to " + seq + ": "
                    + (missing == 1 ? "a record was" : missing + " records were") + " deleted";
        }
        return "seq " + seq + " where " + index + " was expected: records were reordered or repeated";
    }

    private String mac(String input) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(hmac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** Splits on newlines; a final line without one counts, an empty last piece does not. */
    private static List<byte[]> lines(byte[] content) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                lines.add(Arrays.copyOfRange(content, start, i));
                start = i + 1;
            }
        }
        if (start < content.length) {
            lines.add(Arrays.copyOfRange(content, start, content.length));
        }
        return lines;
    }

    /** The counts while scanning. */
    private final class Scan {
        private final RecordSource source;
        private long records;
        private long checkpoints;
        private long uncovered;
        private boolean closed;
        private String previousHash = "";

        Scan(RecordSource source) {
            this.source = source;
        }

        AuditVerification broken(long index, String problem) {
            return new AuditVerification(records, checkpoints, key != null, previousHash, uncovered, closed, source.number(index),
                    Optional.of(source.name(index) + ": " + problem));
        }

        AuditVerification intact() {
            return new AuditVerification(records, checkpoints, key != null, previousHash, uncovered, closed, 0, Optional.empty());
        }
    }
}
