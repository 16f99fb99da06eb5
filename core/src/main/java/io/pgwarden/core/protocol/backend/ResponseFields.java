package io.pgwarden.core.protocol.backend;

import java.util.Map;

/**
 * The accessors ErrorResponse and NoticeResponse share: both are a list of fields keyed by the
 * codes in {@link ErrorFields}.
 */
public sealed interface ResponseFields permits ErrorResponse, NoticeResponse {

    /**
     * The fields in wire order.
     *
     * @return the fields
     */
    Map<Character, String> fields();

    /**
     * The non-localized severity ({@code V}) if present, else {@code S}.
     *
     * @return the severity, or null if neither
     */
    default String severity() {
        return ErrorFields.severity(fields());
    }

    /**
     * The SQLSTATE ({@code C}).
     *
     * @return the code, or null
     */
    default String sqlState() {
        return fields().get(ErrorFields.CODE);
    }

    /**
     * The primary message ({@code M}).
     *
     * @return the message, or null
     */
    default String message() {
        return fields().get(ErrorFields.MESSAGE);
    }

    /**
     * The detail ({@code D}).
     *
     * @return the detail, or null
     */
    default String detail() {
        return fields().get(ErrorFields.DETAIL);
    }

    /**
     * The hint ({@code H}).
     *
     * @return the hint, or null
     */
    default String hint() {
        return fields().get(ErrorFields.HINT);
    }
}
