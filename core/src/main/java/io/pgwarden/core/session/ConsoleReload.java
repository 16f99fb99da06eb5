package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.config.ConfigReloader;
import io.pgwarden.core.config.ReloadOutcome;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.NoticeResponse;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin console's {@code RELOAD}: the reload runs off the event loop, and the console answers
 * when it has ended (holding later messages meanwhile, as for every command that takes time).
 * Success is CommandComplete {@code RELOAD}, after a warning when changed settings need a restart; an
 * invalid file is an error {@code F0000} (config_file_error) listing the problems, and the session goes on.
 */
final class ConsoleReload {

    /** PostgreSQL's config_file_error. */
    static final String CONFIG_FILE_ERROR = "F0000";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleReload.class);

    private ConsoleReload() {
    }

    /**
     * Starts a reload.
     *
     * @param reloader the proxy's reloader
     * @param sessionId the console session, named as the trigger in the log
     * @return the console's reply, when the reload has ended
     */
    static CompletionStage<ConsoleReply> run(ConfigReloader reloader, String sessionId) {
        return reloader.reload("admin console, session " + sessionId)
                .handle((outcome, error) -> out -> reply(outcome, error, out));
    }

    /** Encodes the reply to RELOAD. */
    static void reply(ReloadOutcome outcome, Throwable error, ByteBuf out) {
        if (outcome instanceof ReloadOutcome.Applied applied) {
            if (!applied.needsRestart().isEmpty()) {
                NoticeResponse.warning("01000", "changed settings that need a restart keep their running value: "
                        + String.join(", ", applied.needsRestart())).encode(out);
            }
            new CommandComplete("RELOAD").encode(out);
        } else if (outcome instanceof ReloadOutcome.Rejected rejected) {
            ErrorResponse.error(CONFIG_FILE_ERROR, "the configuration file has problems; nothing was reloaded: "
                    + String.join("; ", rejected.problems())).encode(out);
        } else {
            LOG.error("the configuration reload failed", error);
            ErrorResponse.error("XX000", "the configuration reload failed; the log has the details").encode(out);
        }
    }
}
