package io.pgwarden.testkit;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a leak during it: before each test it forgets older
 * reports; after it, it forces a GC, flushes Netty's reports and fails with them. The GC costs some tens of
 * milliseconds per test.
 *
 * <p>Use {@code @ExtendWith(LeakCheckExtension.class)}, or register it for a whole module with JUnit's
 * extension auto-detection (see docs/testing.md). Run tests with {@code -Dio.netty.leakDetection.level=paranoid}
 * (the build does), so every buffer is tracked. A buffer a test leaks and the GC only finds later is reported
 * by the test that is running then.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        // The previous test's afterEach already flushed; what arrived since belongs to no test.
        NettyLeakReports.install().clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> leaks = NettyLeakReports.install().collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leak(s) during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }
}
