package io.pgwarden.core.session;

import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.RefusalContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells onRefused interceptors about a refusal that was sent. Observe-only: a hook that throws is
 * logged and the others are still called.
 */
final class RefusalNotifier {

    private static final Logger LOG = LoggerFactory.getLogger(RefusalNotifier.class);

    private RefusalNotifier() {
    }

    static void notify(Interceptor[] hooks, RefusalContext refusal) {
        for (Interceptor hook : hooks) {
            try {
                hook.onRefused(refusal);
            } catch (RuntimeException e) {
                LOG.error("[{}] interceptor {} failed in onRefused", refusal.session().sessionId(), hook, e);
            }
        }
    }
}
