package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Identity;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.RefusalContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders an event's own fields as the rest of a JSON object, starting with {@code "type"}, in UTF-8 into a buffer
 * it reuses ({@link JsonBytes}): the chain writer puts {@code {"seq":N,"prev":"…",} in front. Runs on the writer
 * thread: statement texts are lexed, normalized and fingerprinted here, never on an event loop. What repeats from
 * event to event (a session's fields, a normalized text with its fingerprint, the last command tag, the time) is
 * kept rendered, as bytes. Not thread-safe.
 */
final class EventJson {

    private static final Set<String> TAGS_WITH_ROWS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "FETCH",
            "MOVE", "COPY");

    /** How many texts of prepared statements, rendered texts and sessions the renderer remembers. */
    static final int CACHE_SIZE = 512;
    /**
     * Longer texts (in characters) and renderings (in bytes) are not remembered, so that the caches stay small: at
     * most 512 entries of 8 Ki each.
     */
    static final int MAX_CACHED_LENGTH = 8192;

    private final boolean rawText;
    private final MessageDigest sha256;
    private final JsonBytes out = new JsonBytes();
    /** The simple query string last lexed and its statements: its completions arrive in a row, one per statement. */
    private String lexedSql;
    private List<SqlText.Statement> lexedStatements;
    /**
     * Recently lexed texts of the extended protocol: applications prepare the same texts again and again (drivers,
     * ORMs), while simple query strings usually carry their literals and rarely repeat.
     */
    private final Map<String, List<SqlText.Statement>> prepared = new Recent<>();
    /**
     * The rendered {@code fingerprint} and {@code text} fields of recent normalized texts: texts that differ only in
     * their literals share them, so a statement run again is neither hashed nor escaped again.
     */
    private final Map<String, byte[]> textFields = new Recent<>();
    /** The command tag last rendered and its rendered {@code command_tag} and {@code rows} fields. */
    private String renderedTag;
    private byte[] renderedTagFields;
    /** The rendered session fields of recent sessions, by session id; redone when the session's facts change. */
    private final Map<String, RenderedFacts> sessions = new Recent<>();
    /** The time field last rendered: events come many to the millisecond. */
    private long renderedMillis = Long.MIN_VALUE;
    private byte[] renderedTime;

    /**
     * A renderer.
     *
     * @param rawText whether statements also get {@code raw_text}
     */
    EventJson(boolean rawText) {
        this.rawText = rawText;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /**
     * Renders an event.
     *
     * @param event the event
     * @return its fields from {@code "type"} to the closing brace, in the renderer's buffer: valid until the next
     *         render
     */
    JsonBytes render(AuditEvent event) {
        out.clear();
        field("type", event.type().wireName());
        name("time");
        out.append(time(event.epochMillis()));
        out.append(sessionFields(event.session()));
        switch (event.type()) {
            case STATEMENT -> statement(event);
            case AUTH_FAILURE -> authFailure(event);
            case REFUSAL -> refusal(event);
            case SESSION_END -> {
                number("duration_ms", event.durationNanos() / 1_000_000);
                sessions.remove(event.session().sessionId());
            }
            default -> { }
        }
        out.ascii('}');
        return out;
    }

    /** The quoted time; events come many to the millisecond. */
    private byte[] time(long epochMillis) {
        if (epochMillis != renderedMillis) {
            renderedTime = ('"' + Instant.ofEpochMilli(epochMillis).toString() + '"').getBytes(StandardCharsets.US_ASCII);
            renderedMillis = epochMillis;
        }
        return renderedTime;
    }

    /** The session's fields, from {@code ,"session"} on, rendered once per session and facts. */
    private byte[] sessionFields(SessionFacts session) {
        RenderedFacts rendered = sessions.get(session.sessionId());
        if (rendered != null && rendered.facts == session) {
            return rendered.json;
        }
        int start = out.length();
        field("session", session.sessionId());
        field("client", session.client().getAddress() == null ? session.client().getHostString()
                : session.client().getAddress().getHostAddress() + ":" + session.client().getPort());
        field("database", session.database());
        field("user", session.user());
        Identity identity = session.identity();
        if (identity != null) {
            field("role", identity.databaseRole());
            field("subject", identity.subject());
            field("display", identity.displayName());
            out.ascii(",\"groups\":[");
            boolean first = true;
            for (String group : new TreeSet<>(identity.groups())) {
                if (!first) {
                    out.ascii(',');
                }
                out.quoted(group);
                first = false;
            }
            out.ascii(']');
            field("method", identity.method());
            field("backend", session.backend());
            field("backend_user", session.backendUser());
            if (session.backendRole() != null) {
                field("backend_role", session.backendRole());
            }
        }
        byte[] json = out.copyFrom(start);
        out.truncate(start);
        sessions.put(session.sessionId(), new RenderedFacts(session, json));
        return json;
    }

    /** A session's facts and their rendering; the facts are compared by identity, as a new login makes new ones. */
    private record RenderedFacts(SessionFacts facts, byte[] json) {
    }

    private void statement(AuditEvent event) {
        field("protocol", event.extended() ? "extended" : event.sql() == null ? null : "simple");
        text(event.sql() == null ? null : statement(event.sql(), event.statementIndex(), event.extended()));
        if (event.parameters() != null) {
            out.ascii(",\"params\":");
            array(event.parameters());
        }
        commandTag(event.commandTag());
        field("sqlstate", event.sqlState());
        if (event.durationNanos() >= 0) {
            number("duration_us", event.durationNanos() / 1_000);
        }
        notes(event.notes());
    }

    private void authFailure(AuditEvent event) {
        field("method", event.refusal().method());
        field("sqlstate", event.sqlState());
    }

    /** A refusal: who, where and the SQLSTATE; never the message, which can quote data. */
    private void refusal(AuditEvent event) {
        AuditEvent.Refusal refusal = event.refusal();
        field("refused_by", refusal.by());
        field("stage", refusal.stage().name().toLowerCase(Locale.ROOT));
        field("sqlstate", event.sqlState());
        if (refusal.stage() == RefusalContext.Stage.QUERY) {
            text(event.sql() == null ? null : SqlText.joined(SqlText.statements(event.sql())));
        }
    }

    /** The fingerprint, normalized text and, when asked for, the raw text of a statement; nulls when unknown. */
    private void text(SqlText.Statement statement) {
        if (statement == null) {
            field("fingerprint", null);
            field("text", null);
            return;
        }
        String normalized = statement.normalized();
        byte[] fields = textFields.get(normalized);
        if (fields == null) {
            int start = out.length();
            field("fingerprint", fingerprint(normalized));
            field("text", normalized);
            if (out.length() - start <= MAX_CACHED_LENGTH) {
                textFields.put(normalized, out.copyFrom(start));
            }
        } else {
            out.append(fields);
        }
        if (rawText) {
            field("raw_text", statement.raw());
        }
    }

    /** The command tag and its row count; statements of one kind end with the same tag, so the last one is kept. */
    private void commandTag(String tag) {
        if (tag != null && tag.equals(renderedTag)) {
            out.append(renderedTagFields);
            return;
        }
        int start = out.length();
        field("command_tag", tag);
        long rows = rows(tag);
        if (rows >= 0) {
            number("rows", rows);
        }
        if (tag != null) {
            renderedTag = tag;
            renderedTagFields = out.copyFrom(start);
        }
    }

    private void notes(List<Note> notes) {
        out.ascii(",\"notes\":[");
        for (int i = 0; i < notes.size(); i++) {
            Note note = notes.get(i);
            out.ascii(i == 0 ? "{" : ",{");
            out.ascii("\"plugin\":");
            out.quoted(note.plugin());
            out.ascii(",\"key\":");
            out.quoted(note.key());
            out.ascii(",\"value\":");
            out.quoted(note.value());
            out.ascii('}');
        }
        out.ascii(']');
    }

    private void array(List<String> values) {
        out.ascii('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.ascii(',');
            }
            String value = values.get(i);
            if (value == null) {
                out.ascii("null");
            } else {
                out.quoted(value);
            }
        }
        out.ascii(']');
    }

    /**
     * A statement of a query string, lexing a simple query string once for all its completions and a prepared text
     * once while it is among the recent ones.
     */
    private SqlText.Statement statement(String sql, int index, boolean extended) {
        if (!extended) {
            if (!sql.equals(lexedSql)) {
                lexedStatements = SqlText.statements(sql);
                lexedSql = sql;
            }
            return SqlText.statement(lexedStatements, index);
        }
        List<SqlText.Statement> statements = prepared.get(sql);
        if (statements == null) {
            statements = SqlText.statements(sql);
            if (sql.length() <= MAX_CACHED_LENGTH) {
                prepared.put(sql, statements);
            }
        }
        return SqlText.statement(statements, index);
    }

    /**
     * The first 16 hex digits of the SHA-256 of the normalized text.
     *
     * @param normalized the normalized statement
     * @return the fingerprint
     */
    String fingerprint(String normalized) {
        return HexFormat.of().formatHex(sha256.digest(normalized.getBytes(StandardCharsets.UTF_8)), 0, 8);
    }

    /** A small map that forgets its least recently used entry beyond {@link #CACHE_SIZE}. */
    private static final class Recent<V> extends LinkedHashMap<String, V> {
        private static final long serialVersionUID = 1L;

        Recent() {
            super(64, 0.75f, true);
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
            return size() > CACHE_SIZE;
        }
    }

    /**
     * The row count of a command tag such as {@code SELECT 5} or {@code INSERT 0 3}.
     *
     * @param tag the tag
     * @return the count, or -1 when the tag has none
     */
    static long rows(String tag) {
        if (tag == null) {
            return -1;
        }
        int space = tag.indexOf(' ');
        int last = tag.lastIndexOf(' ');
        if (space < 0 || !TAGS_WITH_ROWS.contains(tag.substring(0, space))) {
            return -1;
        }
        try {
            return Long.parseLong(tag.substring(last + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void field(String name, String value) {
        name(name);
        if (value == null) {
            out.ascii("null");
        } else {
            out.quoted(value);
        }
    }

    /** {@code ,"name":}, without the comma for the first field. */
    private void name(String name) {
        if (out.length() > 0) {
            out.ascii(',');
        }
        out.ascii('"');
        out.ascii(name);
        out.ascii("\":");
    }

    private void number(String name, long value) {
        name(name);
        out.number(value);
    }
}
