package io.pgwarden.core.session;

import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.core.protocol.backend.RowDescription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows the extended query protocol so that rows can be matched with their columns when no
 * RowDescription precedes them: a statement described once and then executed through Bind and
 * Execute (pgjdbc's server-prepared statements, binary transfer), or a portal executed again
 * after PortalSuspended (fetch size).
 *
 * <p>Every client message that the server answers is queued in order; each answer takes its
 * entry off the queue. An error makes the server skip to the next Sync, and so does the queue.
 * Statement descriptions come from Describe; portal descriptions from Describe of the portal, or
 * from Bind, which applies its result format codes to the statement's description. Portals live
 * until the transaction ends. Only sessions with a row interceptor pay for this.
 */
final class ExtendedQueryTracker {

    /** What a queued client message waits for. */
    enum Kind { PARSE, BIND, DESCRIBE_STATEMENT, DESCRIBE_PORTAL, EXECUTE, CLOSE_STATEMENT, CLOSE_PORTAL, SYNC, QUERY, FUNCTION_CALL }

    /** One client message the server has yet to answer. */
    private static final class Pending {
        final Kind kind;
        final String name;
        final String statement;
        final List<Short> resultFormats;
        boolean offered;

        Pending(Kind kind, String name, String statement, List<Short> resultFormats) {
            this.kind = kind;
            this.name = name;
            this.statement = statement;
            this.resultFormats = resultFormats;
        }
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<String, RowDescription> statements = new HashMap<>();
    private final Map<String, RowDescription> portals = new HashMap<>();

    // Client messages, in the order the client sent them.

    void parse(String statement) {
        pending.addLast(new Pending(Kind.PARSE, statement, null, null));
    }

    void bind(String portal, String statement, List<Short> resultFormats) {
        pending.addLast(new Pending(Kind.BIND, portal, statement, resultFormats));
    }

    void describe(boolean statement, String name) {
        pending.addLast(new Pending(statement ? Kind.DESCRIBE_STATEMENT : Kind.DESCRIBE_PORTAL, name, null, null));
    }

    void execute(String portal) {
        pending.addLast(new Pending(Kind.EXECUTE, portal, null, null));
    }

    void close(boolean statement, String name) {
        pending.addLast(new Pending(statement ? Kind.CLOSE_STATEMENT : Kind.CLOSE_PORTAL, name, null, null));
    }

    void synchronize(Kind kind) {
        pending.addLast(new Pending(kind, null, null, null));
    }

    // Server answers, in order.

    void parseComplete() {
        Pending parse = take(Kind.PARSE);
        if (parse != null) {
            statements.remove(parse.name); // a new definition; its columns are known after a Describe
        }
    }

    void bindComplete() {
        Pending bind = take(Kind.BIND);
        if (bind != null) {
            RowDescription statement = statements.get(bind.statement);
            if (statement == null) {
                portals.remove(bind.name);
            } else {
                portals.put(bind.name, withFormats(statement, bind.resultFormats));
            }
        }
    }

    /**
     * A RowDescription: the answer to a Describe, or the head of a simple query's result.
     *
     * @return true when it answered a Describe; false when it starts a result set in place
     */
    boolean rowDescription(RowDescription description) {
        Pending head = pending.peekFirst();
        if (head == null || (head.kind != Kind.DESCRIBE_STATEMENT && head.kind != Kind.DESCRIBE_PORTAL)) {
            return false;
        }
        pending.pollFirst();
        (head.kind == Kind.DESCRIBE_STATEMENT ? statements : portals).put(head.name, description);
        return true;
    }

    void noData() {
        Pending head = pending.peekFirst();
        if (head != null && (head.kind == Kind.DESCRIBE_STATEMENT || head.kind == Kind.DESCRIBE_PORTAL)) {
            pending.pollFirst();
            (head.kind == Kind.DESCRIBE_STATEMENT ? statements : portals).remove(head.name);
        }
    }

    /**
     * The columns of the Execute whose rows come next, once per Execute; null when they are
     * unknown, already offered, or the next answer is not an Execute's.
     */
    RowDescription executeColumns() {
        Pending head = pending.peekFirst();
        if (head == null || head.kind != Kind.EXECUTE || head.offered) {
            return null;
        }
        head.offered = true;
        return portals.get(head.name);
    }

    /** CommandComplete, PortalSuspended or EmptyQueryResponse: an Execute ended (inside a simple query, nothing does). */
    void executeEnded() {
        take(Kind.EXECUTE);
    }

    void closeComplete() {
        Pending close = pending.peekFirst();
        if (close != null && (close.kind == Kind.CLOSE_STATEMENT || close.kind == Kind.CLOSE_PORTAL)) {
            pending.pollFirst();
            (close.kind == Kind.CLOSE_STATEMENT ? statements : portals).remove(close.name);
        }
    }

    /** An ErrorResponse: the server skips every extended-protocol message up to the next Sync. */
    void error() {
        while (!pending.isEmpty()) {
            Kind kind = pending.peekFirst().kind;
            if (kind == Kind.SYNC || kind == Kind.QUERY || kind == Kind.FUNCTION_CALL) {
                return;
            }
            pending.pollFirst();
        }
    }

    /** ReadyForQuery answers the oldest Sync, Query or FunctionCall; portals die with the transaction. */
    void readyForQuery(char status) {
        while (!pending.isEmpty()) {
            Kind kind = pending.pollFirst().kind;
            if (kind == Kind.SYNC || kind == Kind.QUERY || kind == Kind.FUNCTION_CALL) {
                break;
            }
        }
        if (status == ReadyForQuery.IDLE) {
            portals.clear();
        }
    }

    private Pending take(Kind kind) {
        Pending head = pending.peekFirst();
        if (head != null && head.kind == kind) {
            return pending.pollFirst();
        }
        return null;
    }

    /** Bind's result format codes: none means text, one applies to all, else one per column. */
    static RowDescription withFormats(RowDescription description, List<Short> formats) {
        if (formats.isEmpty() && description.fields().stream().allMatch(f -> f.formatCode() == 0)) {
            return description;
        }
        List<RowDescription.Field> fields = new ArrayList<>(description.fields().size());
        for (int i = 0; i < description.fields().size(); i++) {
            RowDescription.Field field = description.fields().get(i);
            short format = formats.isEmpty() ? 0 : formats.size() == 1 ? formats.get(0) : i < formats.size() ? formats.get(i) : 0;
            fields.add(new RowDescription.Field(field.name(), field.tableOid(), field.columnNumber(), field.typeOid(),
                    field.typeSize(), field.typeModifier(), format));
        }
        return new RowDescription(fields);
    }
}
