package io.pgwarden.core.protocol;

/**
 * The type bytes of PostgreSQL protocol 3 messages, named as in the protocol documentation.
 *
 * <p>Several bytes mean one message from the frontend and another from the backend ({@code 'D'}
 * is Describe from a client and DataRow from a server), so names are looked up by direction.
 * {@code 'p'} carries PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse; which
 * one is known only from the authentication exchange in progress.
 */
public final class MessageType {

    // Frontend
    public static final byte BIND = 'B';
    public static final byte CLOSE = 'C';
    public static final byte COPY_FAIL = 'f';
    public static final byte DESCRIBE = 'D';
    public static final byte EXECUTE = 'E';
    public static final byte FLUSH = 'H';
    public static final byte FUNCTION_CALL = 'F';
    public static final byte PARSE = 'P';
    /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share this byte. */
    public static final byte PASSWORD_MESSAGE = 'p';
    public static final byte SASL_INITIAL_RESPONSE = 'p';
    public static final byte SASL_RESPONSE = 'p';
    public static final byte GSS_RESPONSE = 'p';
    public static final byte QUERY = 'Q';
    public static final byte SYNC = 'S';
    public static final byte TERMINATE = 'X';

    // Both directions
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';

    // Backend
    public static final byte AUTHENTICATION = 'R';
    public static final byte BACKEND_KEY_DATA = 'K';
    public static final byte BIND_COMPLETE = '2';
    public static final byte CLOSE_COMPLETE = '3';
    public static final byte COMMAND_COMPLETE = 'C';
    public static final byte COPY_IN_RESPONSE = 'G';
    public static final byte COPY_OUT_RESPONSE = 'H';
    public static final byte COPY_BOTH_RESPONSE = 'W';
    public static final byte DATA_ROW = 'D';
    public static final byte EMPTY_QUERY_RESPONSE = 'I';
    public static final byte ERROR_RESPONSE = 'E';
    public static final byte FUNCTION_CALL_RESPONSE = 'V';
    public static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';
    public static final byte NO_DATA = 'n';
    public static final byte NOTICE_RESPONSE = 'N';
    public static final byte NOTIFICATION_RESPONSE = 'A';
    public static final byte PARAMETER_DESCRIPTION = 't';
    public static final byte PARAMETER_STATUS = 'S';
    public static final byte PARSE_COMPLETE = '1';
    public static final byte PORTAL_SUSPENDED = 's';
    public static final byte READY_FOR_QUERY = 'Z';
    public static final byte ROW_DESCRIPTION = 'T';

    private MessageType() {
    }

    /** The protocol name of a message a client sends, or {@code Unknown('x')}. */
    public static String frontendName(byte type) {
        return switch (type) {
            case BIND -> "Bind";
            case CLOSE -> "Close";
            case COPY_DATA -> "CopyData";
            case COPY_DONE -> "CopyDone";
            case COPY_FAIL -> "CopyFail";
            case DESCRIBE -> "Describe";
            case EXECUTE -> "Execute";
            case FLUSH -> "Flush";
            case FUNCTION_CALL -> "FunctionCall";
            case PARSE -> "Parse";
            case PASSWORD_MESSAGE -> "PasswordMessage";
            case QUERY -> "Query";
            case SYNC -> "Sync";
            case TERMINATE -> "Terminate";
            default -> unknown(type);
        };
    }

    /** The protocol name of a message a server sends, or {@code Unknown('x')}. */
    public static String backendName(byte type) {
        return switch (type) {
            case AUTHENTICATION -> "Authentication";
            case BACKEND_KEY_DATA -> "BackendKeyData";
            case BIND_COMPLETE -> "BindComplete";
            case CLOSE_COMPLETE -> "CloseComplete";
            case COMMAND_COMPLETE -> "CommandComplete";
            case COPY_DATA -> "CopyData";
            case COPY_DONE -> "CopyDone";
            case COPY_IN_RESPONSE -> "CopyInResponse";
            case COPY_OUT_RESPONSE -> "CopyOutResponse";
            case COPY_BOTH_RESPONSE -> "CopyBothResponse";
            case DATA_ROW -> "DataRow";
            case EMPTY_QUERY_RESPONSE -> "EmptyQueryResponse";
            case ERROR_RESPONSE -> "ErrorResponse";
            case FUNCTION_CALL_RESPONSE -> "FunctionCallResponse";
            case NEGOTIATE_PROTOCOL_VERSION -> "NegotiateProtocolVersion";
            case NO_DATA -> "NoData";
            case NOTICE_RESPONSE -> "NoticeResponse";
            case NOTIFICATION_RESPONSE -> "NotificationResponse";
            case PARAMETER_DESCRIPTION -> "ParameterDescription";
            case PARAMETER_STATUS -> "ParameterStatus";
            case PARSE_COMPLETE -> "ParseComplete";
            case PORTAL_SUSPENDED -> "PortalSuspended";
            case READY_FOR_QUERY -> "ReadyForQuery";
            case ROW_DESCRIPTION -> "RowDescription";
            default -> unknown(type);
        };
    }

    /** {@code 'x'} for a printable ASCII byte, {@code 0xNN} otherwise; safe to put in a log line. */
    static String printable(byte type) {
        return type >= 0x20 && type < 0x7f
                ? "'" + (char) type + "'"
                : String.format("0x%02x", type & 0xff);
    }

    private static String unknown(byte type) {
        return "Unknown(" + printable(type) + ")";
    }
}
