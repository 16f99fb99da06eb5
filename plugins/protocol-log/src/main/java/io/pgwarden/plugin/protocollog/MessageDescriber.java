package io.pgwarden.plugin.protocollog;

import io.pgwarden.spi.MessageContext.Direction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders one protocol message as a single log line: direction, message name and the fields that
 * help a person follow the conversation. Never a password, a SASL payload, a cancel key or a
 * bound parameter value; SQL text passes through {@link SecretRedactor} and is truncated.
 */
final class MessageDescriber {

    private final int maxQueryLength;

    MessageDescriber(int maxQueryLength) {
        if (maxQueryLength < 1) {
            throw new IllegalArgumentException("maxQueryLength must be positive");
        }
        this.maxQueryLength = maxQueryLength;
    }

    String describe(Direction direction, char type, ByteBuffer payload) {
        PayloadReader in = new PayloadReader(payload);
        String arrow = direction == Direction.FRONTEND ? "→ " : "← ";
        String name = direction == Direction.FRONTEND ? frontendName(type) : backendName(type);
        String fields;
        try {
            fields = direction == Direction.FRONTEND ? frontend(type, in) : backend(type, in);
        } catch (PayloadReader.MalformedMessageException e) {
            fields = "malformed: " + e.getMessage() + ", length=" + payload.remaining();
        }
        return arrow + name + "(" + fields + ")";
    }

    private String frontend(char type, PayloadReader in) {
        return switch (type) {
            case 'Q' -> "query=" + sql(in.readCString());
            case 'P' -> {
                String statement = in.readCString();
                String query = in.readCString();
                int parameterTypes = in.readShort() & 0xFFFF;
                yield "statement=" + quoted(statement) + ", query=" + sql(query) + ", parameterTypes=" + parameterTypes;
            }
            case 'B' -> bind(in);
            case 'E' -> {
                String portal = in.readCString();
                yield "portal=" + quoted(portal) + ", maxRows=" + in.readInt();
            }
            case 'D', 'C' -> {
                byte target = in.readByte();
                String label = target == 'S' ? "statement" : target == 'P' ? "portal" : "target " + (char) target;
                yield label + "=" + quoted(in.readCString());
            }
            case 'd' -> "length=" + in.remaining();
            case 'f' -> "message=" + quoted(truncate(in.readCString()));
            case 'F' -> "function=" + in.readInt();
            // Password, SASL and GSS answers share 'p'; none of them is ever printed.
            case 'p' -> "[redacted]";
            default -> "length=" + in.remaining();
        };
    }

    private static String bind(PayloadReader in) {
        String portal = in.readCString();
        String statement = in.readCString();
        int formats = in.readShort() & 0xFFFF;
        in.skip(formats * 2);
        int parameters = in.readShort() & 0xFFFF;
        // Values are skipped, not shown: bound parameters may be secrets.
        for (int i = 0; i < parameters; i++) {
            int length = in.readInt();
            if (length > 0) {
                in.skip(length);
            }
        }
        return "portal=" + quoted(portal) + ", statement=" + quoted(statement) + ", parameters=" + parameters;
    }

    private String backend(char type, PayloadReader in) {
        return switch (type) {
            case 'T' -> rowDescription(in);
            case 'D' -> "columns=" + (in.readShort() & 0xFFFF);
            case 'C' -> "tag=" + oneLine(in.readCString());
            case 'Z' -> "status=" + transactionStatus((char) in.readByte());
            case 'E', 'N' -> notice(in);
            case 'S' -> "name=" + oneLine(in.readCString()) + ", value=" + oneLine(in.readCString());
            case 'A' -> {
                int pid = in.readInt();
                yield "pid=" + pid + ", channel=" + oneLine(in.readCString());
            }
            // The secret key would let anyone who reads the log cancel this session's queries.
            case 'K' -> "pid=" + in.readInt() + ", key=[redacted]";
            case 'R' -> authentication(in);
            case 'd' -> "length=" + in.remaining();
            case 'G', 'H', 'W' -> {
                byte format = in.readByte();
                yield "format=" + (format == 0 ? "text" : "binary") + ", columns=" + (in.readShort() & 0xFFFF);
            }
            case 't' -> "parameters=" + (in.readShort() & 0xFFFF);
            case 'v' -> "newestMinor=" + in.readInt();
            default -> in.remaining() == 0 ? "" : "length=" + in.remaining();
        };
    }

    private static String rowDescription(PayloadReader in) {
        int count = in.readShort() & 0xFFFF;
        List<String> names = new ArrayList<>(Math.min(count, 64));
        for (int i = 0; i < count; i++) {
            names.add(oneLine(in.readCString()));
            // table OID, column number, type OID, type size, type modifier, format code
            in.skip(4 + 2 + 4 + 2 + 4 + 2);
        }
        return "fields=" + names;
    }

    private String notice(PayloadReader in) {
        String severity = null;
        String code = null;
        String message = null;
        byte field;
        while ((field = in.readByte()) != 0) {
            String value = in.readCString();
            switch (field) {
                case 'V' -> severity = value;
                case 'S' -> severity = severity == null ? value : severity;
                case 'C' -> code = value;
                case 'M' -> message = value;
                default -> { }
            }
        }
        return "severity=" + severity + ", code=" + code + ", message=" + quoted(truncate(SecretRedactor.redact(String.valueOf(message))));
    }

    private static String authentication(PayloadReader in) {
        int code = in.readInt();
        return switch (code) {
            case 0 -> "Ok";
            case 2 -> "KerberosV5";
            case 3 -> "CleartextPassword";
            case 5 -> "MD5Password";
            case 7 -> "GSS";
            case 8 -> "GSSContinue, [redacted]";
            case 9 -> "SSPI";
            case 10 -> {
                List<String> mechanisms = new ArrayList<>();
                String mechanism;
                while (!(mechanism = in.readCString()).isEmpty()) {
                    mechanisms.add(oneLine(mechanism));
                }
                yield "SASL, mechanisms=" + mechanisms;
            }
            case 11 -> "SASLContinue, [redacted]";
            case 12 -> "SASLFinal, [redacted]";
            default -> "code=" + code;
        };
    }

    private static String transactionStatus(char status) {
        return switch (status) {
            case 'I' -> "IDLE";
            case 'T' -> "IN_TRANSACTION";
            case 'E' -> "FAILED";
            default -> "'" + oneLine(String.valueOf(status)) + "'";
        };
    }

    private String sql(String text) {
        return quoted(truncate(SecretRedactor.redact(text)));
    }

    private String truncate(String text) {
        if (text.length() <= maxQueryLength) {
            return text;
        }
        int end = maxQueryLength;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    /** Quotes and escapes, so that a message can never start a new log line. */
    static String quoted(String text) {
        return "\"" + escape(text, true) + "\"";
    }

    private static String oneLine(String text) {
        return escape(text, false);
    }

    private static String escape(String text, boolean quotes) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\\' -> quotes ? "\\\\" : null;
                case '"' -> quotes ? "\\\"" : null;
                default -> Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    static String frontendName(char type) {
        return switch (type) {
            case 'Q' -> "Query";
            case 'P' -> "Parse";
            case 'B' -> "Bind";
            case 'E' -> "Execute";
            case 'D' -> "Describe";
            case 'C' -> "Close";
            case 'S' -> "Sync";
            case 'H' -> "Flush";
            case 'X' -> "Terminate";
            case 'd' -> "CopyData";
            case 'c' -> "CopyDone";
            case 'f' -> "CopyFail";
            case 'F' -> "FunctionCall";
            case 'p' -> "PasswordMessage";
            default -> unknown(type);
        };
    }

    static String backendName(char type) {
        return switch (type) {
            case 'R' -> "Authentication";
            case 'K' -> "BackendKeyData";
            case 'S' -> "ParameterStatus";
            case 'Z' -> "ReadyForQuery";
            case 'T' -> "RowDescription";
            case 'D' -> "DataRow";
            case 'C' -> "CommandComplete";
            case 'E' -> "ErrorResponse";
            case 'N' -> "NoticeResponse";
            case 'A' -> "NotificationResponse";
            case '1' -> "ParseComplete";
            case '2' -> "BindComplete";
            case '3' -> "CloseComplete";
            case 'n' -> "NoData";
            case 's' -> "PortalSuspended";
            case 'I' -> "EmptyQueryResponse";
            case 't' -> "ParameterDescription";
            case 'G' -> "CopyInResponse";
            case 'H' -> "CopyOutResponse";
            case 'W' -> "CopyBothResponse";
            case 'd' -> "CopyData";
            case 'c' -> "CopyDone";
            case 'V' -> "FunctionCallResponse";
            case 'v' -> "NegotiateProtocolVersion";
            default -> unknown(type);
        };
    }

    private static String unknown(char type) {
        return Character.isLetterOrDigit(type) ? "Unknown'" + type + "'" : String.format("Unknown0x%02x", (int) type);
    }
}
