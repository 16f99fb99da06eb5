package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small test classes through the JUnit engine to see the extension pass and fail them. Surefire skips
 * nested classes, so the leaking one only ever runs here.
 */
class LeakCheckExtensionTest {

    private static final String SELF_TEST = "pgwarden.testkit.leak-check-self-test";

    @Test
    void testThatLeaksABufferFailsWithTheReport() {
        Events events = run(LeakingTests.class);

        events.assertStatistics(stats -> stats.started(1).failed(1));
        events.assertThatEvents().haveExactly(1, event(test("leaksOneBuffer"),
                finishedWithFailure(instanceOf(AssertionError.class), message(text ->
                        text.contains("Netty reported 1 leak(s)") && text.contains("LeakingTests.leaksOneBuffer")))));
    }

    @Test
    void testThatReleasesItsBuffersPasses() {
        run(TidyTests.class).assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(NettyLeakReports.install().collect()).isEmpty();
    }

    private static Events run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .configurationParameter(SELF_TEST, "true")
                .selectors(selectClass(testClass))
                .execute()
                .testEvents();
    }

    /** Keeps the example classes from running anywhere but inside {@link #run}, e.g. under {@code -Dtest=*Leak*}. */
    static final class OnlyInEngineTestKit implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(SELF_TEST).isPresent()
                    ? ConditionEvaluationResult.enabled("run by LeakCheckExtensionTest")
                    : ConditionEvaluationResult.disabled("an example for LeakCheckExtensionTest only");
        }
    }

    @ExtendWith({OnlyInEngineTestKit.class, LeakCheckExtension.class})
    static class LeakingTests {

        @Test
        void leaksOneBuffer() {
            ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(8);
            buffer.writeLong(7);
        }
    }

    @ExtendWith({OnlyInEngineTestKit.class, LeakCheckExtension.class})
    static class TidyTests {

        @Test
        void releasesItsBuffer() {
            ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(8);
            buffer.writeLong(7);
            buffer.release();
        }
    }
}
