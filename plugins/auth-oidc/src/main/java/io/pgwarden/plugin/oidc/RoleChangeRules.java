package io.pgwarden.plugin.oidc;

import io.pgwarden.plugin.oidc.SqlLexer.Token;
import io.pgwarden.plugin.oidc.SqlLexer.Type;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a set-role session may not run: anything that could leave the role pgwarden gave it. Works
 * on {@link SqlLexer} tokens, never on raw text, and errs on the side of refusing:
 * <ul>
 *   <li>{@code SET [SESSION|LOCAL] ROLE}, {@code SET [SESSION|LOCAL] SESSION AUTHORIZATION},
 *       {@code SET role|session_authorization = ...} (also quoted), {@code RESET ROLE},
 *       {@code RESET SESSION AUTHORIZATION}: where a statement starts, after a PL/pgSQL block word
 *       ({@code BEGIN THEN ELSE LOOP}, a label), and anywhere in a statement that has
 *       {@code CREATE} or {@code ALTER} before it (the {@code SET} clause of a function, a role, a
 *       database). {@code UPDATE t SET role = ...} assigns a column and is allowed;</li>
 *   <li>{@code set_config} however qualified or quoted, unless its first argument is a plain
 *       string literal naming a setting other than {@code role}, {@code session_authorization} and
 *       {@code client_encoding};</li>
 *   <li>{@code DISCARD ALL}, which runs {@code SET SESSION AUTHORIZATION DEFAULT};</li>
 *   <li>a change of {@code pg_settings}, whose update rule calls {@code set_config};</li>
 *   <li>a {@code client_encoding} whose characters may hold a backslash byte (this scanner reads
 *       text as UTF-8, the server in the session's encoding);</li>
 *   <li>in a DO block or a {@code CREATE FUNCTION|PROCEDURE}: every string or dollar-quoted string
 *       is scanned the same way, recursively, and in such bodies the word {@code EXECUTE}
 *       (dynamic SQL) is refused, and so is a language other than {@code sql} and
 *       {@code plpgsql};</li>
 *   <li>a {@code U&"..."} identifier, and a {@code U&'...'} string as a body, whose text this
 *       scanner does not decode.</li>
 * </ul>
 * {@code RESET ALL} is allowed: it returns {@code role} to the startup packet's value, the person.
 */
final class RoleChangeRules {

    /** Bodies nested deeper than this are refused rather than scanned. */
    static final int MAX_DEPTH = 8;

    private static final Set<String> GUARDED_SETTINGS = Set.of("role", "session_authorization", "client_encoding");
    private static final Set<String> BLOCK_WORDS = Set.of("begin", "then", "else", "loop", "atomic");
    private static final Set<String> SAFE_LANGUAGES = Set.of("sql", "plpgsql");
    /** Client-only encodings whose multi-byte characters may end with the byte of a backslash or quote (names as PostgreSQL cleans them). */
    private static final Set<String> UNSAFE_ENCODINGS = Set.of("sjis", "shiftjis", "mskanji", "win932", "windows932", "big5",
            "win950", "windows950", "gbk", "win936", "windows936", "cp936", "uhc", "win949", "windows949", "gb18030");

    private RoleChangeRules() {
    }

    /**
     * Checks a statement text (one or many statements).
     *
     * @param sql the text of a Query or a Parse
     * @return what was found that could change the role, or empty when the text may run
     */
    static Optional<String> refusal(String sql) {
        return refusal(sql, 0);
    }

    /**
     * Whether a client_encoding value is one of the encodings the scanner cannot read safely.
     *
     * @param encoding the value as written
     * @return true for SJIS, BIG5, GBK, UHC, GB18030 and their aliases
     */
    static boolean unsafeEncoding(String encoding) {
        return UNSAFE_ENCODINGS.contains(encoding.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""));
    }

    private static Optional<String> refusal(String sql, int depth) {
        if (depth > MAX_DEPTH) {
            return Optional.of("function bodies nested more than " + MAX_DEPTH + " deep");
        }
        SqlLexer standard = SqlLexer.of(sql, true);
        Optional<String> found = check(new Window(standard), depth);
        if (found.isEmpty() && standard.backslashInPlainString()) {
            // The session may have standard_conforming_strings off: then the server reads these strings differently.
            found = check(new Window(SqlLexer.of(sql, false)), depth);
        }
        return found;
    }

    private static Optional<String> check(Window tokens, int depth) {
        boolean inBody = depth > 0;
        int start = 0;
        boolean createOrAlter = false;
        boolean routine = false;
        boolean changesTables = false;
        boolean pgSettings = false;
        for (int i = 0; tokens.get(i) != END; i++) {
            Token token = tokens.get(i);
            if (token.isPunctuation(';')) {
                start = i + 1;
                createOrAlter = false;
                routine = false;
                changesTables = false;
                pgSettings = false;
                continue;
            }
            if (token.type() == Type.WORD) {
                routine |= token.isWord("do") && commandPosition(tokens, i, start) || token.isWord("create") && createsRoutine(tokens, i);
            }
            String found = switch (token.type()) {
                case UNICODE_IDENT -> "a Unicode-escaped identifier (U&\"...\")";
                case STRING, DOLLAR_STRING -> inBody || routine ? refusal(token.text(), depth + 1).orElse(null) : null;
                case UNICODE_STRING -> inBody || routine ? "a Unicode-escaped string (U&'...') in a function body or DO block" : null;
                case WORD -> word(tokens, i, start, createOrAlter, inBody, routine);
                default -> null;
            };
            if (found == null && token.namesSetting("set_config")) {
                found = setConfig(tokens, i);
            }
            if (found != null) {
                return Optional.of(found);
            }
            if (token.type() == Type.WORD) {
                createOrAlter |= token.isWord("create") || token.isWord("alter");
                changesTables |= token.isWord("update") || token.isWord("create") || token.isWord("merge") || token.isWord("insert");
            }
            pgSettings |= token.namesSetting("pg_settings");
            if (pgSettings && changesTables) {
                return Optional.of("a change of pg_settings (its rule calls set_config)");
            }
        }
        return Optional.empty();
    }

    /** CREATE [OR REPLACE] FUNCTION|PROCEDURE. */
    private static boolean createsRoutine(Window tokens, int create) {
        for (int i = create + 1; i < create + 4; i++) {
            if (tokens.get(i).isWord("function") || tokens.get(i).isWord("procedure")) {
                return true;
            }
        }
        return false;
    }

    private static String word(Window tokens, int i, int start, boolean createOrAlter, boolean inBody, boolean routine) {
        Token token = tokens.get(i);
        return switch (token.text()) {
            case "set" -> commandPosition(tokens, i, start) || createOrAlter ? afterSet(tokens, i + 1) : null;
            case "reset" -> (commandPosition(tokens, i, start) || createOrAlter) && namesRoleSetting(tokens, i + 1)
                    ? "RESET ROLE or RESET SESSION AUTHORIZATION" : null;
            // DISCARD ALL runs SET SESSION AUTHORIZATION DEFAULT, which makes the service account current_user.
            case "discard" -> commandPosition(tokens, i, start) && at(tokens, i + 1).isWord("all")
                    ? "DISCARD ALL (it runs SET SESSION AUTHORIZATION DEFAULT)" : null;
            // At the top level EXECUTE runs a prepared statement, which cannot be a SET; in a body it is dynamic SQL.
            case "execute" -> inBody ? "EXECUTE (dynamic SQL) in a function body or DO block" : null;
            case "language" -> routine ? language(at(tokens, i + 1)) : null;
            default -> null;
        };
    }

    /** A statement starts here: first of its text, or after a PL/pgSQL block word or a label ({@code <<l>>}). */
    private static boolean commandPosition(Window tokens, int i, int start) {
        if (i == start) {
            return true;
        }
        Token previous = tokens.get(i - 1);
        return previous.type() == Type.WORD && BLOCK_WORDS.contains(previous.text())
                || previous.isPunctuation('>') || previous.isPunctuation('(');
    }

    private static String afterSet(Window tokens, int i) {
        if (namesRoleSetting(tokens, scoped(tokens, i))) {
            return "SET ROLE or SET SESSION AUTHORIZATION";
        }
        Token name = at(tokens, scoped(tokens, i));
        int value = scoped(tokens, i) + 1;
        if (name.namesSetting("client_encoding")) {
            if (at(tokens, value).isWord("to") || at(tokens, value).isPunctuation('=')) {
                value++;
            }
        } else if (!name.isWord("names")) {
            return null;
        }
        Token encoding = at(tokens, value);
        boolean readable = encoding.type() == Type.WORD || encoding.type() == Type.STRING && encoding.plain();
        return !readable || unsafeEncoding(encoding.text()) ? "a client_encoding pgwarden cannot read safely (use UTF8)" : null;
    }

    /** Skips SESSION or LOCAL before a setting name, but not the SESSION of SESSION AUTHORIZATION. */
    private static int scoped(Window tokens, int i) {
        Token first = at(tokens, i);
        return (first.isWord("session") || first.isWord("local")) && !at(tokens, i + 1).isWord("authorization") ? i + 1 : i;
    }

    private static boolean namesRoleSetting(Window tokens, int i) {
        Token name = at(tokens, i);
        return name.namesSetting("role") || name.namesSetting("session_authorization")
                || name.isWord("session") && at(tokens, i + 1).isWord("authorization");
    }

    /** {@code set_config('<plain literal>', ...)} with a harmless setting, else why not. */
    private static String setConfig(Window tokens, int i) {
        Token argument = at(tokens, i + 2);
        boolean literal = at(tokens, i + 1).isPunctuation('(') && argument.type() == Type.STRING && argument.plain()
                && at(tokens, i + 3).isPunctuation(',');
        if (!literal) {
            return "set_config without a plain string literal as the setting's name";
        }
        return GUARDED_SETTINGS.contains(argument.text().toLowerCase(Locale.ROOT))
                ? "set_config('" + argument.text().toLowerCase(Locale.ROOT) + "', ...)" : null;
    }

    private static String language(Token name) {
        boolean known = (name.type() == Type.WORD || name.type() == Type.IDENT || name.type() == Type.STRING)
                && SAFE_LANGUAGES.contains(name.text().toLowerCase(Locale.ROOT));
        return known ? null : "a function body or DO block in a language other than sql and plpgsql";
    }

    /** After the last token: no word, no punctuation. */
    private static final Token END = new Token(Type.OTHER, "", false);

    private static Token at(Window tokens, int i) {
        return tokens.get(i);
    }

    /**
     * The tokens around the one being checked, read from the lexer as they are needed: the rules
     * look one token back and three ahead, so eight are kept and a statement of any length costs
     * no more memory than its text.
     */
    private static final class Window {

        private static final int SIZE = 8;

        private final SqlLexer lexer;
        private final Token[] ring = new Token[SIZE];
        private int read;

        Window(SqlLexer lexer) {
            this.lexer = lexer;
        }

        Token get(int index) {
            while (read <= index) {
                Token token = lexer.next();
                ring[read++ % SIZE] = token == null ? END : token;
            }
            if (index < read - SIZE) {
                throw new IllegalStateException("token " + index + " is no longer kept");
            }
            return ring[index % SIZE];
        }
    }
}
