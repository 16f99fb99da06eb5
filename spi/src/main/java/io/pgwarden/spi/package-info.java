/**
 * The pgwarden plugin API.
 *
 * <p>A plugin is a jar with one or more {@link io.pgwarden.spi.InterceptorFactory} implementations
 * listed in {@code META-INF/services/io.pgwarden.spi.InterceptorFactory}. The proxy creates one
 * {@link io.pgwarden.spi.Interceptor} per plugin entry in its YAML chain and calls the hooks that
 * interceptor overrides, in chain order. Hooks it does not override cost nothing: the core looks
 * once, when the chain is built, at which methods each interceptor declares.
 *
 * <p>Rules that hold for every type in this package:
 * <ul>
 *   <li>Contexts are implemented by the core and are valid only during the call that receives
 *       them. A plugin that keeps data copies it.</li>
 *   <li>Hooks run on the session's event loop and must not block. Work that needs I/O returns
 *       {@link io.pgwarden.spi.Decision#later} and runs on {@link io.pgwarden.spi.Services#blockingExecutor()};
 *       the session stops reading from its client until the decision arrives.</li>
 *   <li>Value types are immutable records. Records that carry secrets never print them.</li>
 * </ul>
 *
 * <p>The API is versioned by {@link io.pgwarden.spi.SpiVersion}.
 */
package io.pgwarden.spi;
