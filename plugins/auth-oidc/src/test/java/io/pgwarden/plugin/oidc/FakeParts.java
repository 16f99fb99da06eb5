package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The authenticator's collaborators as fakes the test sets up: which issuers are recognized, what
 * validation answers, who the person is, what the policy, the strategies and the propagation say.
 * Each records how it was called. The blocking executor runs in place and marks its thread.
 */
final class FakeParts {

    static final String ISSUER = "https://login.example.com/realms/main";
    static final Instant EXPIRES = Instant.parse("2026-11-21T12:00:00Z");
    static final Credential CERTIFICATE = new Credential.ClientCertificate("-----BEGIN CERTIFICATE-----\n", "-----BEGIN PRIVATE KEY-----\n");

    Set<String> issuers = Set.of(ISSUER);
    TokenRejectedException rejection;
    LoginRefusedException mappingRefusal;
    PersonIdentity person = new PersonIdentity("alice", "s-1", "alice@example.com", Set.of("analysts", "db-users"), ISSUER, EXPIRES,
            Map.of("sub", "s-1", "preferred_username", "alice", "groups", List.of("analysts", "db-users")));
    String policyRefusal;
    /** Whether {@link #policyRefusal} is for having no allowed group (else for the database). */
    boolean policyNoAllowedGroup;
    Provisioner provisioner = Provisioner.NONE;
    RuntimeException policyError;
    LoginRefusedException strategyRefusal;
    LoginRefusedException propagationRefusal;

    final AtomicInteger recognitions = new AtomicInteger();
    final List<String> validated = new CopyOnWriteArrayList<>();
    final AtomicInteger validationsOffTheBlockingExecutor = new AtomicInteger();
    final List<String> policyDatabases = new CopyOnWriteArrayList<>();
    final List<String> strategiesUsed = new CopyOnWriteArrayList<>();
    final List<BackendLogin> ruleDefaults = new CopyOnWriteArrayList<>();
    final AtomicInteger blockingTasks = new AtomicInteger();
    private final ThreadLocal<Boolean> inBlocking = ThreadLocal.withInitial(() -> false);

    final Executor blockingExecutor = task -> {
        blockingTasks.incrementAndGet();
        inBlocking.set(true);
        try {
            task.run();
        } finally {
            inBlocking.set(false);
        }
    };

    TokenLogin.Parts parts() {
        TokenLogin.Tokens tokens = new TokenLogin.Tokens() {
            @Override
            public boolean recognizes(String token) {
                recognitions.incrementAndGet();
                return TokenShape.unverifiedIssuer(token).filter(issuers::contains).isPresent();
            }

            @Override
            public VerifiedToken validate(String token) throws TokenRejectedException {
                validated.add(token);
                if (!inBlocking.get()) {
                    validationsOffTheBlockingExecutor.incrementAndGet();
                }
                if (rejection != null) {
                    throw rejection;
                }
                return new VerifiedToken(ISSUER, person.claims(), EXPIRES);
            }
        };
        TokenLogin.Mapping mapping = token -> {
            if (mappingRefusal != null) {
                throw mappingRefusal;
            }
            return person;
        };
        TokenLogin.Policy policy = (who, database) -> {
            policyDatabases.add(database);
            if (policyError != null) {
                throw policyError;
            }
            return Optional.ofNullable(policyRefusal).map(message -> new AccessPolicy.Refusal(message, policyNoAllowedGroup));
        };
        TokenLogin.Propagation propagation = (login, who) -> {
            if (propagationRefusal != null) {
                throw propagationRefusal;
            }
            Map<String, String> parameters = new HashMap<>(login.parameters());
            parameters.put("application_name", "pgwarden:" + who.role());
            List<String> init = new ArrayList<>(login.sessionInit());
            init.add("SET pgwarden.\"user\" = E'" + who.role() + "'");
            return login.withParameters(parameters).withSessionInit(init);
        };
        return new TokenLogin.Parts(tokens, mapping, policy, Map.of(
                OidcAuthSettings.CLIENT_CERT, strategy(OidcAuthSettings.CLIENT_CERT, null, CERTIFICATE),
                OidcAuthSettings.SERVICE_ACCOUNT, strategy(OidcAuthSettings.SERVICE_ACCOUNT, "app_ro", Credential.password("app-secret"))),
                propagation, provisioner);
    }

    private LoginStrategy strategy(String name, String user, Credential credential) {
        return new LoginStrategy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public BackendLogin login(PersonIdentity who, BackendLogin ruleDefault) throws LoginRefusedException {
                strategiesUsed.add(name);
                ruleDefaults.add(ruleDefault);
                if (strategyRefusal != null) {
                    throw strategyRefusal;
                }
                return ruleDefault.withUser(user == null ? who.role() : user, credential);
            }
        };
    }
}
