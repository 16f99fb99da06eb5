package io.pgwarden.plugin.audit;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hash chain of one sink that is not a file (stdout, a table stream), in the format of docs/audit.md: each
 * record starts with {@code {"seq":N,"prev":"H",}, H being the hex SHA-256 of the previous record's bytes, and a
 * checkpoint carries the HMAC-SHA256 of {@code N:H} after {@code checkpointRecords} records, when records wait
 * longer than {@code checkpointMillis}, and when the sink closes. Used by one thread.
 */
final class RecordChain {

    private final int checkpointRecords;
    private final long checkpointMillis;
    private final Mac mac;
    private final MessageDigest sha256;
    private long seq;
    private String lastHash = ChainedFile.GENESIS;
    private long recordsSinceCheckpoint;
    private long checkpointedMillis;

    /**
     * A chain starting at seq 0 after 64 zeros; {@link #continueAfter} moves it on.
     *
     * @param checkpointRecords records between checkpoints
     * @param checkpointMillis the longest time between a record and its checkpoint
     * @param checkpointKey the HMAC key
     */
    RecordChain(int checkpointRecords, long checkpointMillis, byte[] checkpointKey) {
        this.checkpointRecords = checkpointRecords;
        this.checkpointMillis = checkpointMillis;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(checkpointKey, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("SHA-256 or HMAC-SHA256 is unavailable", e);
        }
    }

    /**
     * Continues after a record written earlier.
     *
     * @param lastSeq that record's seq
     * @param lastRecord its bytes
     */
    void continueAfter(long lastSeq, byte[] lastRecord) {
        seq = lastSeq + 1;
        lastHash = hash(lastRecord);
    }

    /**
     * The header that opens the chain, or marks a restart of the writer on a continuing stream.
     *
     * @param nowMillis the time
     * @param stream the stream name
     * @return the record
     */
    String header(long nowMillis, String stream) {
        StringBuilder body = new StringBuilder(200).append("\"type\":\"header\",\"time\":\"").append(Instant.ofEpochMilli(nowMillis))
                .append("\",\"stream\":\"").append(stream).append("\",\"format\":1,\"previous_seq\":")
                .append(seq == 0 ? "null" : Long.toString(seq - 1)).append('}');
        checkpointedMillis = nowMillis;
        return next(body.toString(), false);
    }

    /**
     * Chains one event.
     *
     * @param body the event's fields from {@code "type"} to the closing brace
     * @return the record
     */
    String record(String body) {
        return next(body, true);
    }

    /**
     * Whether a checkpoint is due after the records so far: enough records, or records older than the interval.
     *
     * @param nowMillis the time
     * @return true when one is due
     */
    boolean checkpointDue(long nowMillis) {
        return recordsSinceCheckpoint >= checkpointRecords
                || recordsSinceCheckpoint > 0 && nowMillis - checkpointedMillis >= checkpointMillis;
    }

    /**
     * Whether records were written since the last checkpoint, so closing needs one.
     *
     * @return true when so
     */
    boolean uncheckpointed() {
        return recordsSinceCheckpoint > 0;
    }

    /**
     * A checkpoint over the chain so far.
     *
     * @param nowMillis the time
     * @return the record
     */
    String checkpoint(long nowMillis) {
        byte[] tag = mac.doFinal((seq + ":" + lastHash).getBytes(StandardCharsets.US_ASCII));
        recordsSinceCheckpoint = 0;
        checkpointedMillis = nowMillis;
        return next("\"type\":\"checkpoint\",\"time\":\"" + Instant.ofEpochMilli(nowMillis) + "\",\"mac\":\""
                + HexFormat.of().formatHex(tag) + "\"}", false);
    }

    private String next(String body, boolean event) {
        String record = "{\"seq\":" + seq + ",\"prev\":\"" + lastHash + "\"," + body;
        lastHash = hash(record.getBytes(StandardCharsets.UTF_8));
        seq++;
        if (event) {
            recordsSinceCheckpoint++;
        }
        return record;
    }

    private String hash(byte[] record) {
        return HexFormat.of().formatHex(sha256.digest(record));
    }
}
