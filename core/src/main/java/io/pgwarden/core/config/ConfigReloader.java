package io.pgwarden.core.config;

import java.util.concurrent.CompletionStage;

/** Reads the configuration file again and applies it; reloads run one at a time, off the event loops. */
@FunctionalInterface
public interface ConfigReloader {

    /**
     * Starts a reload.
     *
     * @param trigger what asked for it, for the log ({@code SIGHUP}, {@code console user ops})
     * @return completes with the outcome once the reload has been applied or rejected
     */
    CompletionStage<ReloadOutcome> reload(String trigger);
}
