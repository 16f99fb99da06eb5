package io.pgwarden.core.plugin;

/** Sources of a plugin that reports what its code can see. */
final class ProbePlugin {

    private ProbePlugin() {
    }

    /** A jar builder holding the probe plugin of the given type, in package {@code pkg}. */
    static TestPluginJar jar(String id, String pkg, String type) {
        return TestPluginJar.plugin(id)
                .source(pkg + ".ProbeFactory", """
                        package %1$s;
                        import io.pgwarden.spi.*;
                        public final class ProbeFactory implements InterceptorFactory {
                            public String type() { return "%2$s"; }
                            public Interceptor create(PluginConfig config, Services services) {
                                if (config.bool("fail", false)) {
                                    throw new IllegalStateException("cannot reach the moon");
                                }
                                config.integer("limit", 0);
                                return new ProbeInterceptor(new Bundled());
                            }
                        }
                        """.formatted(pkg, type))
                .source(pkg + ".Bundled", """
                        package %s;
                        public final class Bundled {
                        }
                        """.formatted(pkg))
                .source(pkg + ".ProbeInterceptor", """
                        package %s;
                        import io.pgwarden.spi.*;
                        final class ProbeInterceptor implements Interceptor {
                            private final Bundled bundled;
                            ProbeInterceptor(Bundled bundled) { this.bundled = bundled; }
                            @Override
                            public Decision onQuery(QueryContext context) {
                                try {
                                    Class.forName(context.sql());
                                    return Decision.reject("XX000", "visible", null);
                                } catch (ClassNotFoundException e) {
                                    return Decision.reject("XX000", "invisible", null);
                                }
                            }
                            @Override
                            public Decision onStartup(StartupContext context) {
                                boolean own = Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
                                return Decision.reject("XX000", "context-loader-is-plugin=" + own, null);
                            }
                        }
                        """.formatted(pkg))
                .factory(pkg + ".ProbeFactory");
    }
}
