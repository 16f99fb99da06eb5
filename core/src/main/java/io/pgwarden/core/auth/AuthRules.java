package io.pgwarden.core.auth;

import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.config.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The ordered auth rules, like pg_hba.conf: the first rule whose database, user, client address
 * and TLS requirement match a connection picks its method. A method that does not apply to what
 * the client sent passes the connection on to the next matching rule.
 */
public final class AuthRules {

    private final List<CompiledRule> rules;

    /**
     * Compiles the rules.
     *
     * @param rules the rules in order
     */
    public AuthRules(List<AuthRule> rules) {
        this.rules = rules.stream().map(CompiledRule::new).toList();
    }

    /**
     * The index of the first matching rule at or after {@code from}, or -1.
     *
     * @param from the first index to try
     * @param database the database the client asked for
     * @param user the user the client gave
     * @param address the client's address
     * @param tls whether the client uses TLS
     * @return the rule index, or -1 when none matches
     */
    public int match(int from, String database, String user, InetAddress address, boolean tls) {
        for (int i = Math.max(from, 0); i < rules.size(); i++) {
            if (rules.get(i).matches(database, user, address, tls)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The rule at an index.
     *
     * @param index the index from {@link #match}
     * @return the rule
     */
    public AuthRule rule(int index) {
        return rules.get(index).rule;
    }

    /**
     * Turns a name pattern into a regular expression: {@code *} matches any run of characters,
     * everything else matches itself.
     *
     * @param pattern the pattern
     * @return the compiled pattern
     */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        String[] parts = pattern.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private static final class CompiledRule {
        private final AuthRule rule;
        private final Pattern database;
        private final Pattern user;

        CompiledRule(AuthRule rule) {
            this.rule = rule;
            this.database = glob(rule.database());
            this.user = glob(rule.user());
        }

        boolean matches(String db, String usr, InetAddress address, boolean tls) {
            if (rule.tlsRequired() && !tls) {
                return false;
            }
            if (!database.matcher(db).matches() || !user.matcher(usr).matches()) {
                return false;
            }
            if (rule.addresses().isEmpty()) {
                return true;
            }
            for (Cidr cidr : rule.addresses()) {
                if (cidr.contains(address)) {
                    return true;
                }
            }
            return false;
        }
    }
}
