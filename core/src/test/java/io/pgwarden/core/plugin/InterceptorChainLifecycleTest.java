package io.pgwarden.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgwarden.spi.Interceptor;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A chain's reference count: the owner's reference and one per session; the last release closes it, once. */
class InterceptorChainLifecycleTest {

    private final AtomicInteger closes = new AtomicInteger();

    private InterceptorChain chain() {
        Interceptor counting = new Interceptor() {
            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
        return new InterceptorChain(List.of(new PluginInterceptor("counting", "test", counting,
                InterceptorChainLifecycleTest.class.getClassLoader(), new SimpleMeterRegistry())), List.of(), null);
    }

    @Test
    void replacedChainClosesWhenItsLastSessionEnds() {
        InterceptorChain chain = chain();
        assertThat(chain.retain()).isTrue();
        assertThat(chain.retain()).isTrue();

        chain.release();
        chain.release();
        assertThat(closes).as("one session still uses it").hasValue(0);
        assertThat(chain.closed()).isFalse();

        chain.release();
        assertThat(closes).hasValue(1);
        assertThat(chain.closed()).isTrue();
    }

    @Test
    void releasedChainCannotBeRetainedAgain() {
        InterceptorChain chain = chain();
        chain.release();

        assertThat(chain.retain()).as("a reload released it and no session held it").isFalse();
        assertThat(closes).hasValue(1);
    }

    @Test
    void shutdownClosesAtOnceAndOnlyOnce() {
        InterceptorChain chain = chain();
        assertThat(chain.retain()).isTrue();

        chain.close();
        chain.release();
        chain.release();
        chain.close();

        assertThat(closes).hasValue(1);
        assertThat(chain.retain()).isFalse();
    }
}
