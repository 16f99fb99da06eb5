package io.pgwarden.core.server;

import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A factory on the class path (listed in the test resources' services file) whose plugin offers the
 * auth method {@code picky}: it takes one rule option, {@code flavour: sweet|sour}, and records the
 * options it is asked to check.
 */
public final class RuleOptionsTestFactory implements InterceptorFactory {

    static final String TYPE = "rule-options-test";
    static final List<Map<String, String>> CHECKED = new CopyOnWriteArrayList<>();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        return new Interceptor() {
            @Override
            public List<Authenticator> authenticators() {
                return List.of(new Picky());
            }
        };
    }

    private static final class Picky implements Authenticator {
        @Override
        public String method() {
            return "picky";
        }

        @Override
        public void checkRuleOptions(Map<String, String> options) {
            CHECKED.add(options);
            for (Map.Entry<String, String> option : options.entrySet()) {
                if (!option.getKey().equals("flavour")) {
                    throw new PluginConfigException(option.getKey(), "unknown option for method picky; known: flavour");
                }
                if (!List.of("sweet", "sour").contains(option.getValue())) {
                    throw new PluginConfigException("flavour", "expected sweet or sour, found '" + option.getValue() + "'");
                }
            }
        }

        @Override
        public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
            return CompletableFuture.completedFuture(AuthOutcome.failure("picky refuses everyone"));
        }
    }
}
