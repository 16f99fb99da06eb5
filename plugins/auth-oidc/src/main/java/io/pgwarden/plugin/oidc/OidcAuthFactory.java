package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code oidc} plugin type: single sign-on with an OIDC access token given as the password
 * (method {@code oidc}) or in a SASL OAUTHBEARER exchange as psql 18 sends it (method {@code oauth}),
 * validated against the configured issuers, mapped to a person, authorized,
 * and logged in to the backend with a minted client certificate, a service account, or a service
 * account that takes the person's role (set-role, whose sessions a statement guard watches).
 *
 * <pre>
 * plugins:
 *   - type: oidc
 *     issuers:
 *       - { issuer: https://login.example.com/realms/main, audience: [pgwarden] }
 *     authorization: { allowed_groups: [db-users] }
 *     strategy: client-cert
 *     client_cert: { ca_cert: /etc/pgwarden/db-client-ca.pem, ca_key: "${file:/etc/pgwarden/db-client-ca.key}" }
 * auth:
 *   - { method: oidc }
 * </pre>
 */
public final class OidcAuthFactory implements InterceptorFactory {

    /** The type name in the YAML chain. */
    public static final String TYPE = "oidc";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) throws Exception {
        // The unknown-key check first, so that a misspelt section is named before its owner complains.
        OidcAuthSettings settings = OidcAuthSettings.parse(config);
        TokenValidator validator = TokenValidator.fromConfig(config, services);
        AutoCloseable closeValidator = () -> {
            if ((Object) validator instanceof AutoCloseable closeable) {
                closeable.close();
            }
        };
        try {
            List<String> issuers = issuers(config);
            TokenLogin.Parts parts = new TokenLogin.Parts(tokens(validator), mapping(validator, issuers),
                    AccessPolicy.fromConfig(config)::refusal, strategies(config, services, settings),
                    IdentityPropagation.fromConfig(config)::apply, Provisioning.fromConfig(config, services));
            TokenLogin login = new TokenLogin(settings, parts, new OidcMetrics(services.metrics(), issuers), services.logger());
            List<Authenticator> authenticators = List.of(new OidcAuthenticator(login, services.blockingExecutor()),
                    new OAuthBearerAuthenticator(login, new OAuthRuleOptions(requiredScopes(config)), services.blockingExecutor()));
            RoleChangeGuard guard = parts.strategies().get(SetRoleStrategy.NAME) instanceof SetRoleStrategy setRole
                    ? new RoleChangeGuard(setRole.user(), services.logger()) : null;
            return OidcAuthPlugin.create(authenticators, closeValidator, services.logger(), guard, SessionExpiry.fromConfig(config),
                    ConnectionLimits.fromConfig(config));
        } catch (Exception e) {
            try {
                closeValidator.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The issuers as TokenValidator read them (trimmed), in configuration order. */
    private static List<String> issuers(PluginConfig config) {
        List<String> issuers = new ArrayList<>();
        for (PluginConfig issuer : config.sections(OidcAuthSettings.ISSUERS)) {
            issuers.add(issuer.requireString("issuer").trim());
        }
        return List.copyOf(issuers);
    }

    /** Each issuer (trimmed, as TokenValidator read it) with its required_scopes, for method oauth's discovery answer. */
    private static Map<String, List<String>> requiredScopes(PluginConfig config) {
        Map<String, List<String>> scopes = new LinkedHashMap<>();
        for (PluginConfig section : config.sections(OidcAuthSettings.ISSUERS)) {
            IssuerSettings issuer = IssuerSettings.parse(section);
            scopes.put(issuer.issuer(), issuer.requiredScopes());
        }
        return scopes;
    }

    private static TokenLogin.Tokens tokens(TokenValidator validator) {
        return new TokenLogin.Tokens() {
            @Override
            public boolean recognizes(String token) {
                return validator.recognizes(token);
            }

            @Override
            public VerifiedToken validate(String token) throws TokenRejectedException {
                return validator.validate(token);
            }
        };
    }

    /** One claim mapping per issuer, built now so that a bad {@code claims} section stops the start. */
    private static TokenLogin.Mapping mapping(TokenValidator validator, List<String> issuers) {
        Map<String, ClaimMapping> mappings = new LinkedHashMap<>();
        for (String issuer : issuers) {
            mappings.put(issuer, ClaimMapping.fromConfig(validator.claimsConfigFor(issuer)));
        }
        Map<String, ClaimMapping> byIssuer = Map.copyOf(mappings);
        return token -> {
            ClaimMapping mapping = byIssuer.get(token.issuer());
            if (mapping == null) {
                throw new IllegalStateException("no claim mapping for a verified issuer");
            }
            return mapping.map(token);
        };
    }

    private static Map<String, LoginStrategy> strategies(PluginConfig config, Services services, OidcAuthSettings settings) {
        Map<String, LoginStrategy> strategies = new LinkedHashMap<>();
        ClientCertStrategy.fromConfig(config, services).ifPresent(strategy -> strategies.put(strategy.name(), strategy));
        ServiceAccountStrategy.fromConfig(config, services).ifPresent(strategy -> strategies.put(strategy.name(), strategy));
        SetRoleStrategy.fromConfig(config, services).ifPresent(strategy -> strategies.put(strategy.name(), strategy));
        for (String name : settings.configuredStrategies()) {
            if (!strategies.containsKey(name)) {
                throw new PluginConfigException(config.pathOf(OidcAuthSettings.sectionOf(name)), "configures no " + name + " login");
            }
        }
        return strategies;
    }
}
