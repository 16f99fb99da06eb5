package io.pgwarden.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.ColumnInfo;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.MessageContext;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.ResultSetContext;
import io.pgwarden.spi.RowInterceptor;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class InterceptorChainTest {

    private final ClassLoader pluginLoader = new URLClassLoader("test-plugin", new URL[0], null);
    private final List<String> events = new ArrayList<>();

    private PluginInterceptor plugin(String type, Interceptor interceptor) {
        return new PluginInterceptor(type, "class path", interceptor, pluginLoader, new SimpleMeterRegistry());
    }

    /** Overrides onQuery and onComplete only. */
    private final class QueryWatcher implements Interceptor {
        private final String name;

        QueryWatcher(String name) {
            this.name = name;
        }

        @Override
        public Decision onQuery(QueryContext context) {
            events.add(name + ".onQuery");
            return Decision.proceed();
        }

        @Override
        public void onComplete(CompletionContext context) {
            events.add(name + ".onComplete");
        }

        @Override
        public void close() {
            events.add(name + ".close");
        }
    }

    /** Overrides every hook. */
    private final class Everything implements Interceptor {
        @Override
        public Decision onStartup(StartupContext context) {
            return Decision.proceed();
        }

        @Override
        public Decision onAuth(io.pgwarden.spi.AuthContext context) {
            return Decision.proceed();
        }

        @Override
        public Decision onQuery(QueryContext context) {
            events.add("everything.onQuery");
            return Decision.proceed();
        }

        @Override
        public void onComplete(CompletionContext context) {
        }

        @Override
        public RowInterceptor claimResultSet(ResultSetContext context) {
            return row -> events.add("row with context loader " + Thread.currentThread().getContextClassLoader().getName());
        }

        @Override
        public void onMessage(MessageContext context) {
        }

        @Override
        public void onSessionEnd(SessionContext context) {
        }
    }

    private static Authenticator authenticator(String method) {
        return new Authenticator() {
            @Override
            public String method() {
                return method;
            }

            @Override
            public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
                return CompletableFuture.completedFuture(AuthOutcome.success(
                        io.pgwarden.spi.Identity.ofUser(Thread.currentThread().getContextClassLoader().getName(), method), null));
            }
        };
    }

    @Test
    void eachHookListsOnlyTheInterceptorsThatOverrideItInYamlOrder() {
        PluginInterceptor first = plugin("first", new QueryWatcher("first"));
        PluginInterceptor nothing = plugin("nothing", new Interceptor() { });
        PluginInterceptor everything = plugin("everything", new Everything());
        PluginInterceptor last = plugin("last", new QueryWatcher("last"));

        try (InterceptorChain chain = new InterceptorChain(List.of(first, nothing, everything, last), List.of(), null)) {
            assertThat(chain.queryHooks()).containsExactly(first, everything, last);
            assertThat(chain.completeHooks()).containsExactly(first, everything, last);
            assertThat(chain.startupHooks()).containsExactly(everything);
            assertThat(chain.authHooks()).containsExactly(everything);
            assertThat(chain.rowHooks()).containsExactly(everything);
            assertThat(chain.messageHooks()).containsExactly(everything);
            assertThat(chain.sessionEndHooks()).containsExactly(everything);
            assertThat(chain.interceptors()).containsExactly(first, nothing, everything, last);
        }
    }

    @Test
    void chainWithoutInterceptorsHasEmptyHooks() {
        try (InterceptorChain chain = new InterceptorChain(List.of(), List.of(), null)) {
            assertThat(chain.queryHooks()).isEmpty();
            assertThat(chain.messageHooks()).isEmpty();
            assertThat(chain.authenticator("trust")).isEmpty();
        }
    }

    @Test
    void hookRunsWithThePluginContextLoaderAndRestoresItEvenWhenItThrows() {
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        List<ClassLoader> seen = new ArrayList<>();
        PluginInterceptor failing = plugin("failing", new Interceptor() {
            @Override
            public Decision onQuery(QueryContext context) {
                seen.add(Thread.currentThread().getContextClassLoader());
                throw new IllegalStateException("plugin bug");
            }
        });

        assertThatThrownBy(() -> failing.onQuery(TestContexts.query("SELECT 1"))).hasMessage("plugin bug");

        assertThat(seen).containsExactly(pluginLoader);
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void rowInterceptorOfAClaimedResultSetRunsWithThePluginContextLoader() {
        PluginInterceptor everything = plugin("everything", new Everything());
        ResultSetContext resultSet = new ResultSetContext() {
            @Override
            public SessionContext session() {
                return TestContexts.startup();
            }

            @Override
            public List<ColumnInfo> columns() {
                return List.of(new ColumnInfo("id", 0, 0, 23, 4, -1, false));
            }
        };

        RowInterceptor rows = everything.claimResultSet(resultSet);
        rows.onRow(null);

        assertThat(events).containsExactly("row with context loader test-plugin");
    }

    @Test
    void unclaimedResultSetStaysNull() {
        PluginInterceptor watcher = plugin("watcher", new QueryWatcher("w"));

        assertThat(watcher.claimResultSet(null)).isNull();
    }

    @Test
    void authenticatorsComeFromBuiltInsAndPlugins() {
        PluginInterceptor scram = plugin("scram", new Interceptor() {
            @Override
            public List<Authenticator> authenticators() {
                return List.of(authenticator("scram"), authenticator("md5"));
            }
        });

        try (InterceptorChain chain = new InterceptorChain(List.of(scram), List.of(authenticator("trust")), null)) {
            assertThat(chain.authMethods()).containsExactlyInAnyOrder("trust", "scram", "md5");
            assertThat(chain.authenticator("ldap")).isEmpty();
            AuthOutcome outcome = chain.authenticator("scram").orElseThrow().authenticate(null).toCompletableFuture().join();
            assertThat(((AuthOutcome.Success) outcome).identity().subject()).isEqualTo("test-plugin");
        }
    }

    @Test
    void pluginAuthenticatorsCheckRuleOptionsWithThePluginsContextLoader() {
        List<String> seen = new ArrayList<>();
        Authenticator picky = new Authenticator() {
            @Override
            public String method() {
                return "picky";
            }

            @Override
            public void checkRuleOptions(java.util.Map<String, String> options) {
                seen.add(Thread.currentThread().getContextClassLoader().getName() + " " + options);
                if (options.containsKey("colour")) {
                    throw new io.pgwarden.spi.PluginConfigException("colour", "unknown option");
                }
            }

            @Override
            public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
                throw new AssertionError("not called");
            }
        };
        PluginInterceptor plugin = plugin("picky", new Interceptor() {
            @Override
            public List<Authenticator> authenticators() {
                return List.of(picky, authenticator("relaxed"));
            }
        });
        ClassLoader before = Thread.currentThread().getContextClassLoader();

        try (InterceptorChain chain = new InterceptorChain(List.of(plugin), List.of(), null)) {
            Authenticator wrapped = chain.authenticator("picky").orElseThrow();
            assertThat(wrapped).isNotSameAs(picky);
            wrapped.checkRuleOptions(java.util.Map.of("flavour", "sweet"));
            assertThatThrownBy(() -> wrapped.checkRuleOptions(java.util.Map.of("colour", "blue")))
                    .isInstanceOf(io.pgwarden.spi.PluginConfigException.class)
                    .hasMessage("colour: unknown option");
            // An authenticator that does not override checkRuleOptions accepts anything (SPI 1.0 plugins).
            chain.authenticator("relaxed").orElseThrow().checkRuleOptions(java.util.Map.of("colour", "blue"));
        }

        assertThat(seen).containsExactly("test-plugin {flavour=sweet}", "test-plugin {colour=blue}");
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void authMethodProvidedTwiceIsALoadError() {
        PluginInterceptor rogue = plugin("rogue", new Interceptor() {
            @Override
            public List<Authenticator> authenticators() {
                return List.of(authenticator("trust"));
            }
        });

        assertThatThrownBy(() -> new InterceptorChain(List.of(rogue), List.of(authenticator("trust")), null))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("auth method 'trust' is provided twice")
                .hasMessageContaining("built-in")
                .hasMessageContaining("plugin 'rogue'");
    }

    @Test
    void authenticatorWithoutMethodNameIsALoadError() {
        PluginInterceptor nameless = plugin("nameless", new Interceptor() {
            @Override
            public List<Authenticator> authenticators() {
                return List.of(authenticator(" "));
            }
        });

        assertThatThrownBy(() -> new InterceptorChain(List.of(nameless), List.of(), null))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("plugin 'nameless'");
    }

    @Test
    void closeClosesEveryInterceptorInReverseOrderAndSwallowsFailures() {
        PluginInterceptor first = plugin("first", new QueryWatcher("first"));
        PluginInterceptor broken = plugin("broken", new Interceptor() {
            @Override
            public void close() {
                events.add("broken.close");
                throw new IllegalStateException("cannot close");
            }
        });
        PluginInterceptor last = plugin("last", new QueryWatcher("last"));
        InterceptorChain chain = new InterceptorChain(List.of(first, broken, last), List.of(),
                () -> events.add("services.close"));

        chain.close();

        assertThat(events).containsExactly("last.close", "broken.close", "first.close", "services.close");
    }

    @Test
    void laterEntriesOfTheSameTypeAreNumberedForNotesAndRefusals() {
        PluginInterceptor first = plugin("router", new QueryWatcher("a"));
        PluginInterceptor audit = plugin("audit", new QueryWatcher("b"));
        PluginInterceptor second = plugin("router", new QueryWatcher("c"));
        PluginInterceptor third = plugin("router", new QueryWatcher("d"));
        try (InterceptorChain chain = new InterceptorChain(List.of(first, audit, second, third), List.of(), null)) {
            assertThat(chain.interceptors()).extracting(PluginInterceptor::name)
                    .containsExactly("router", "audit", "router#2", "router#3");
        }
    }

    @Test
    void onExecuteAndOnRefusedAreCalledOnlyOnPluginsThatOverrideThem() {
        Interceptor observer = new Interceptor() {
            @Override
            public void onExecute(io.pgwarden.spi.ExecuteContext context) {
                events.add("onExecute " + Thread.currentThread().getContextClassLoader().getName());
            }

            @Override
            public void onRefused(io.pgwarden.spi.RefusalContext context) {
                events.add("onRefused");
            }
        };
        PluginInterceptor observing = plugin("observer", observer);
        PluginInterceptor other = plugin("other", new QueryWatcher("q"));
        try (InterceptorChain chain = new InterceptorChain(List.of(other, observing), List.of(), null)) {
            assertThat(chain.executeHooks()).containsExactly(observing);
            assertThat(chain.refusedHooks()).containsExactly(observing);
            chain.executeHooks()[0].onExecute(null);
            chain.refusedHooks()[0].onRefused(null);
        }
        assertThat(events).containsSubsequence("onExecute test-plugin", "onRefused");
    }
}
