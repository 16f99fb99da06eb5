package io.pgwarden.core.plugin;

import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.Services;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A factory on the class path (listed in the test resources' services file): its interceptors
 * append their name to {@link #CALLS} on each statement.
 */
public final class ClassPathTestFactory implements InterceptorFactory {

    static final String TYPE = "class-path-test";
    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        String name = config.requireString("name");
        return new Interceptor() {
            @Override
            public Decision onQuery(QueryContext context) {
                CALLS.add(name + ":" + context.sql());
                return Decision.proceed();
            }
        };
    }
}
