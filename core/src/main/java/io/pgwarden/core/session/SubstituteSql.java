package io.pgwarden.core.session;

import io.pgwarden.spi.StatementResult;
import java.security.SecureRandom;
import java.util.List;

/** Writes the statements the proxy substitutes for rejected or self-answered ones. */
final class SubstituteSql {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SubstituteSql() {
    }

    /** A token that no real statement's error message contains by chance. */
    static String token() {
        return "pgwarden-rejected-" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
    }

    /** Fails at parse analysis with the token in its message (undefined column), touching no data. */
    static String rejection(String token) {
        return "SELECT \"" + token + "\"";
    }

    /** Returns the result's rows as text columns; a result without columns runs an empty DO block. */
    static String response(StatementResult result) {
        if (result.columns().isEmpty()) {
            return "DO $pgwarden$BEGIN END$pgwarden$";
        }
        StringBuilder sql = new StringBuilder("SELECT * FROM (VALUES ");
        List<List<String>> rows = result.rows();
        if (rows.isEmpty()) {
            sql.append('(');
            for (int i = 0; i < result.columns().size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("NULL::text");
            }
            sql.append(')');
        } else {
            for (int r = 0; r < rows.size(); r++) {
                sql.append(r == 0 ? "(" : ", (");
                List<String> row = rows.get(r);
                for (int c = 0; c < row.size(); c++) {
                    sql.append(c == 0 ? "" : ", ").append(literal(row.get(c))).append("::text");
                }
                sql.append(')');
            }
        }
        sql.append(") AS pgwarden_result(");
        for (int i = 0; i < result.columns().size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(identifier(result.columns().get(i)));
        }
        sql.append(')');
        if (rows.isEmpty()) {
            sql.append(" WHERE false");
        }
        return sql.toString();
    }

    /** An escape-string literal: its meaning does not depend on standard_conforming_strings. */
    static String literal(String value) {
        if (value == null) {
            return "NULL";
        }
        StringBuilder out = new StringBuilder(value.length() + 4).append("E'");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\'' || c == '\\') {
                out.append('\\');
            }
            if (c == 0) {
                throw new IllegalArgumentException("a text value cannot contain a zero character");
            }
            out.append(c);
        }
        return out.append('\'').toString();
    }

    static String identifier(String name) {
        if (name.indexOf(0) >= 0) {
            throw new IllegalArgumentException("an identifier cannot contain a zero character");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
