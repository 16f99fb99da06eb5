package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The field codes of ErrorResponse and NoticeResponse ("Error and Notice Message Fields" in the
 * protocol documentation) and the field list layout both share: per field a code byte and a
 * string, then a zero byte.
 */
public final class ErrorFields {

    /** Severity, possibly localized: ERROR, FATAL, PANIC, WARNING, NOTICE, DEBUG, INFO, LOG. */
    public static final char SEVERITY = 'S';
    /** Severity, never localized (PostgreSQL 9.6 and later). */
    public static final char SEVERITY_NON_LOCALIZED = 'V';
    public static final char CODE = 'C';
    public static final char MESSAGE = 'M';
    public static final char DETAIL = 'D';
    public static final char HINT = 'H';
    public static final char POSITION = 'P';
    public static final char INTERNAL_POSITION = 'p';
    public static final char INTERNAL_QUERY = 'q';
    public static final char WHERE = 'W';
    public static final char SCHEMA_NAME = 's';
    public static final char TABLE_NAME = 't';
    public static final char COLUMN_NAME = 'c';
    public static final char DATA_TYPE_NAME = 'd';
    public static final char CONSTRAINT_NAME = 'n';
    public static final char FILE = 'F';
    public static final char LINE = 'L';
    public static final char ROUTINE = 'R';

    private ErrorFields() {
    }

    /** An unmodifiable, ordered copy; codes must be non-zero bytes and values non-null. */
    static Map<Character, String> copyOf(Map<Character, String> fields) {
        Objects.requireNonNull(fields, "fields");
        Map<Character, String> copy = new LinkedHashMap<>();
        fields.forEach((code, value) -> {
            if (code == 0 || code > 0xff) {
                throw new IllegalArgumentException("a field code is one non-zero byte: " + (int) code);
            }
            copy.put(code, Objects.requireNonNull(value, "value of field " + code));
        });
        return Collections.unmodifiableMap(copy);
    }

    static Map<Character, String> with(Map<Character, String> fields, char code, String value) {
        Map<Character, String> copy = new LinkedHashMap<>(fields);
        copy.put(code, Objects.requireNonNull(value, "value"));
        return copy;
    }

    static Map<Character, String> of(String severity, String sqlState, String message) {
        Map<Character, String> fields = new LinkedHashMap<>();
        fields.put(SEVERITY, severity);
        fields.put(SEVERITY_NON_LOCALIZED, severity);
        fields.put(CODE, Objects.requireNonNull(sqlState, "sqlState"));
        fields.put(MESSAGE, Objects.requireNonNull(message, "message"));
        return fields;
    }

    /** The non-localized severity when present, else the possibly localized one. */
    static String severity(Map<Character, String> fields) {
        String severity = fields.get(SEVERITY_NON_LOCALIZED);
        return severity != null ? severity : fields.get(SEVERITY);
    }

    static Map<Character, String> decode(ByteBuf payload, String messageName) {
        Map<Character, String> fields = new LinkedHashMap<>();
        while (true) {
            int code = PgBuffers.readByte(payload, messageName);
            if (code == 0) {
                break;
            }
            // A repeated code keeps its first position and its last value, as a client reading
            // the fields one by one would end up with.
            fields.put((char) code, PgBuffers.readCString(payload, messageName));
        }
        PgBuffers.requireEnd(payload, messageName);
        return fields;
    }

    static void encodeBody(ByteBuf out, Map<Character, String> fields) {
        fields.forEach((code, value) -> {
            out.writeByte(code);
            PgBuffers.writeCString(out, value);
        });
        out.writeByte(0);
    }
}
