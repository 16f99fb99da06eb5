package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strategy {@code service-account}: the person's groups pick a configured database login, shared by
 * everyone in the group (and so one pool). The first entry whose group the person has wins, in
 * configuration order; else the {@code default: true} entry; else the login is refused.
 */
final class ServiceAccountStrategy implements LoginStrategy {

    static final String NAME = OidcAuthSettings.SERVICE_ACCOUNT;
    private static final String SECTION = OidcAuthSettings.SERVICE_ACCOUNTS_SECTION;

    private static final Set<String> KEYS = Set.of("group", "default", "user", "password");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):[^}]+}");

    /** One entry of {@code service_accounts}; {@code group} is null for the default. */
    record Account(String group, String user, Credential credential) {

        @Override
        public String toString() {
            return "Account[" + (group == null ? "default" : "group=" + group) + ", user=" + user + "]";
        }
    }

    private final List<Account> accounts;
    private final Account fallback;
    private final String path;

    ServiceAccountStrategy(List<Account> accounts, Account fallback, String path) {
        this.accounts = List.copyOf(accounts);
        this.fallback = fallback;
        this.path = Objects.requireNonNull(path, "path");
    }

    /**
     * Reads {@code service_accounts}; each password must be a secret reference and is resolved now.
     *
     * @param pluginSection the plugin's section ({@code plugins[i]})
     * @param services to resolve the password references
     * @return the strategy, or empty when there is no {@code service_accounts} key
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static Optional<ServiceAccountStrategy> fromConfig(PluginConfig pluginSection, Services services) {
        Objects.requireNonNull(pluginSection, "pluginSection");
        Objects.requireNonNull(services, "services");
        if (!pluginSection.has(SECTION)) {
            return Optional.empty();
        }
        List<PluginConfig> entries = pluginSection.sections(SECTION);
        if (entries.isEmpty()) {
            throw new PluginConfigException(pluginSection.pathOf(SECTION),
                    "lists no service account; give entries such as { group: analysts, user: analyst_ro, password: \"${env:X}\" }");
        }
        List<Account> accounts = new ArrayList<>();
        Map<String, String> groupPaths = new HashMap<>();
        Account fallback = null;
        for (PluginConfig entry : entries) {
            for (String key : entry.values().keySet()) {
                if (!KEYS.contains(key)) {
                    throw new PluginConfigException(entry.pathOf(key), "unknown setting; a service account has group or "
                            + "default, user and password");
                }
            }
            boolean isDefault = entry.bool("default", false);
            Optional<String> group = entry.string("group").map(String::trim);
            if (isDefault && group.isPresent()) {
                throw new PluginConfigException(entry.path(), "has both group and default: true; an entry is one or the other");
            }
            if (!isDefault && group.isEmpty()) {
                throw new PluginConfigException(entry.pathOf("group"), "is required (or default: true)");
            }
            if (group.isPresent() && group.get().isEmpty()) {
                throw new PluginConfigException(entry.pathOf("group"), "is empty");
            }
            String user = entry.requireString("user").trim();
            if (user.isEmpty()) {
                throw new PluginConfigException(entry.pathOf("user"), "is empty");
            }
            Account account = new Account(group.orElse(null), user, credential(entry, services));
            if (isDefault) {
                if (fallback != null) {
                    throw new PluginConfigException(entry.pathOf("default"), "a second default; at most one entry is the default");
                }
                fallback = account;
            } else {
                String earlier = groupPaths.putIfAbsent(group.get(), entry.path());
                if (earlier != null) {
                    throw new PluginConfigException(entry.pathOf("group"), "group " + group.get() + " already has a service account at "
                            + earlier);
                }
                accounts.add(account);
            }
        }
        return Optional.of(new ServiceAccountStrategy(accounts, fallback, pluginSection.pathOf(SECTION)));
    }

    /**
     * A password reference, resolved; without one the backend must trust the proxy (or its own
     * client certificate). Also read by {@link SetRoleStrategy}.
     */
    static Credential credential(PluginConfig entry, Services services) {
        Optional<String> text = entry.string("password");
        if (text.isEmpty()) {
            return Credential.none();
        }
        String reference = text.get().trim();
        if (!REFERENCE.matcher(reference).matches()) {
            // The value itself is not repeated: it may be the password.
            throw new PluginConfigException(entry.pathOf("password"), "must be a secret reference such as ${env:NAME} or "
                    + "${file:/path}; a password written in the configuration file is refused");
        }
        try {
            return Credential.password(services.resolveSecret(reference));
        } catch (PluginConfigException e) {
            String prefix = e.path() + ": ";
            String message = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
            throw new PluginConfigException(entry.pathOf("password"), message);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendLogin login(PersonIdentity person, BackendLogin ruleDefault) throws LoginRefusedException {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(ruleDefault, "ruleDefault");
        Account account = account(person);
        return ruleDefault.withUser(account.user(), account.credential());
    }

    /** The account for a person: the first listed group they have, else the default. */
    Account account(PersonIdentity person) throws LoginRefusedException {
        for (Account account : accounts) {
            if (person.groups().contains(account.group())) {
                return account;
            }
        }
        if (fallback != null) {
            return fallback;
        }
        throw new LoginRefusedException("no service account for the groups of " + person.role() + " (" + path + ")");
    }

    @Override
    public String toString() {
        return "ServiceAccountStrategy" + accounts + (fallback == null ? "" : " default " + fallback);
    }
}
